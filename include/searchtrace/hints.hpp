// Inlining hints for the hot paths of generation and rendering (GCC and Clang; no effect
// elsewhere). Each use was measured: out of line, these functions keep their state in memory.
#pragma once

// Forces inlining of the few tiny functions on the samplers' hot paths: out of line, every
// draw stores and reloads the generator's state (measured: a tenth of dataset generation).
#ifndef SEARCHTRACE_HOT_INLINE
#if defined(__GNUC__) || defined(__clang__)
#define SEARCHTRACE_HOT_INLINE [[gnu::always_inline]] inline
#else
#define SEARCHTRACE_HOT_INLINE inline
#endif
#endif

// Inlines a function's whole call tree into it. Without it GCC keeps token walkers and
// std::vector::push_back out of line, and every byte or label written then stores and reloads
// the output position (a char store may alias anything): measured, rendering took a quarter of
// the time of dataset generation, about half of that with it; the bit-row tracer half as long.
#ifndef SEARCHTRACE_FLATTEN
#if defined(__GNUC__) || defined(__clang__)
#define SEARCHTRACE_FLATTEN [[gnu::flatten]]
#else
#define SEARCHTRACE_FLATTEN
#endif
#endif

// Keeps a function out of line even inside a SEARCHTRACE_FLATTEN caller: for the rare and the
// large paths of a sink (buffer hand-over, dense rows, errors), which flattened into every
// token site made one generator instantiation half a megabyte and its build minutes long.
#ifndef SEARCHTRACE_OUT_OF_LINE
#if defined(__GNUC__) || defined(__clang__)
#define SEARCHTRACE_OUT_OF_LINE [[gnu::noinline]]
#else
#define SEARCHTRACE_OUT_OF_LINE
#endif
#endif
