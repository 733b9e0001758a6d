// Everything but the opt-in headers: include this one to get the whole core library.
#pragma once

#include "searchtrace/classify.hpp"
#include "searchtrace/completion.hpp"
#include "searchtrace/cursor.hpp"
#include "searchtrace/diagnostic.hpp"
#include "searchtrace/grammar.hpp"
#include "searchtrace/graph.hpp"
#include "searchtrace/lexer.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/render.hpp"
#include "searchtrace/result.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/trace.hpp"
#include "searchtrace/tracer.hpp"
#include "searchtrace/verdict.hpp"
#include "searchtrace/vocabulary.hpp"
