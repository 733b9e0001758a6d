// Everything but the opt-in headers: include this one to get the whole core library.
#pragma once

#include "searchtrace/grammar.hpp"
#include "searchtrace/graph.hpp"
#include "searchtrace/lexer.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/render.hpp"
#include "searchtrace/result.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/trace.hpp"
#include "searchtrace/tracer.hpp"
#include "searchtrace/vocabulary.hpp"
