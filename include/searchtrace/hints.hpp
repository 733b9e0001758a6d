// Inlining hints for the hot paths of generation and rendering (GCC and Clang; no effect
// elsewhere). Each use was measured: out of line, these functions keep their state in memory.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define SEARCHTRACE_DETAIL_GNU(attribute) attribute
#else
#define SEARCHTRACE_DETAIL_GNU(attribute)
#endif

// For the tiny functions of the samplers' hot paths: out of line, every draw stored and
// reloaded the generator's state (a tenth of dataset generation).
#ifndef SEARCHTRACE_HOT_INLINE
#define SEARCHTRACE_HOT_INLINE SEARCHTRACE_DETAIL_GNU([[gnu::always_inline]]) inline
#endif

// Inlines a function's whole call tree, so the output position stays in a register (a char
// store may alias anything): rendering took half the time with it.
#ifndef SEARCHTRACE_FLATTEN
#define SEARCHTRACE_FLATTEN SEARCHTRACE_DETAIL_GNU([[gnu::flatten]])
#endif

// Keeps the rare and the large paths of a sink out of a SEARCHTRACE_FLATTEN caller: flattened
// into every token site they made one generator instantiation half a megabyte.
#ifndef SEARCHTRACE_OUT_OF_LINE
#define SEARCHTRACE_OUT_OF_LINE SEARCHTRACE_DETAIL_GNU([[gnu::noinline]])
#endif
