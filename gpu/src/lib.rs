//! GPU kernels: two-thread race and barrier obligations for vcgen, NVPTX code
//! generation, and the launch runtime over cudarc. Filled by issue 7.
