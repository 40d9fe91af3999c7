#pragma once

// WB_CLONES before a function compiles it twice: an AVX2 + FMA clone that runs where the CPU has
// them (resolved once by the loader) and the baseline clone elsewhere. For the kernels whose
// loops vectorise, in a portable build.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define WB_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define WB_CLONES
#endif
