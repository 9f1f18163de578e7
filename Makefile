# The commands of DESIGN §3. Every target that needs a tool installs what is
# missing first (tools/deps.sh), so `make test` works on a fresh machine.
#
#   make run | test | book | serve | exercises | check CH=NN | hint EX=N.M
#   make progress | diff CH=NN | bench | compare | compare-book | lint | format | deps
#   make integrity | diagrams
#
# `make test` builds every written chapter (chapters/NN-slug) and runs every test.
# PRESET picks the CMake preset for build/test/run/bench (default, debug, asan, tsan);
# `make check CH=NN PRESET=asan` (or tsan) tests the students' copy under that sanitizer.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
PRESET ?= default
CH ?=
EX ?=
SOLUTIONS ?=

CHAPTERS := $(sort $(wildcard chapters/[0-9][0-9]-*))
NEWEST := $(notdir $(lastword $(CHAPTERS)))
NEWEST_DEMO := build/$(PRESET)/chapters/$(NEWEST)/ch$(firstword $(subst -, ,$(NEWEST)))-demo
SOURCES = $(shell find chapters tests src bench -name '*.hpp' -o -name '*.cpp' 2>/dev/null)

.PHONY: all deps deps-build deps-book deps-lint build test run book serve exercises \
        check hint progress diff integrity bench compare compare-book compare-build lint \
        format diagrams clean

all: test

deps:
	@tools/deps.sh all

deps-build:
	@tools/deps.sh build

deps-book:
	@tools/deps.sh book

deps-lint:
	@tools/deps.sh lint

build: deps-build
	@cmake --preset $(PRESET) > build-configure.log || { cat build-configure.log; rm -f build-configure.log; exit 1; }
	@rm -f build-configure.log
	cmake --build --preset $(PRESET)

test: build
	ctest --preset $(PRESET)

run: build
	$(NEWEST_DEMO)

# mdBook runs the listings preprocessor (book.toml) from the directory it is
# started in, so it is started in book/.
book: deps-book
	python3 tools/book_check.py book
	cd book && "$$(../tools/deps.sh mdbook-path)" build
	python3 tools/book_check.py --html book/html

serve: deps-book
	python3 tools/book_check.py book
	cd book && "$$(../tools/deps.sh mdbook-path)" serve --hostname 127.0.0.1 --port 3000

exercises:
	@python3 tools/exercises.py generate

check: deps-build
	@if [ -z "$(CH)" ]; then echo "usage: make check CH=01 [PRESET=asan|tsan]" >&2; exit 2; fi
	@python3 tools/exercises.py check $(CH) --preset $(PRESET)

# The next, more detailed hint for one exercise (one more tier each time).
hint:
	@if [ -z "$(EX)" ]; then echo "usage: make hint EX=4.3" >&2; exit 2; fi
	@python3 tools/exercises.py hint $(EX)

progress: deps-build
	@python3 tools/exercises.py progress

# What chapter CH adds to the one before, its exercises stubbed as in the
# students' copy; SOLUTIONS=1 shows them solved.
diff:
	@SOLUTIONS=$(SOLUTIONS) tools/chapter_diff.sh $(CH)

# CI: the students' copy of every chapter compiles and fails where it should,
# and each exercise's tests fail on its own stub alone. CH=NN limits it to one chapter.
integrity: deps-build
	python3 tools/exercises.py integrity $(CH)

# The scheduler workloads on every bench-* program and the contended workload on every
# contended-* program, as tables (also written to build/$(PRESET)/bench/results.md).
# Then the echo table: echo-client against every server of ECHO_SERVERS, each a program
# that keeps tools/echo_bench.py's contract (or NAME="program args"), with ratios to
# Asio's (also written to build/$(PRESET)/bench/echo.md): art's server with its default
# placement of the reactor (driven by the workers) and with a reactor thread.
# Only optimised presets build them: the default one.
ECHO_SERVERS ?= build/$(PRESET)/bench/echo-asio build/$(PRESET)/bench/echo-art   "art-thread=build/$(PRESET)/bench/echo-art --reactor=thread"
bench: build
	python3 tools/bench_table.py build/$(PRESET)/bench
	python3 tools/echo_bench.py --client build/$(PRESET)/bench/echo-client \
	  --output build/$(PRESET)/bench/echo.md $(ECHO_SERVERS)

# Chapter 11's three schedulers, each with and without the budget, side by side: one
# program (compare-schedulers) on the standard workloads, the contended one and the
# starvation experiment. Always the default (optimised) preset; about two minutes.
# Writes build/default/bench/compare.json (the raw results) and compare.md (the table);
# compare-book also writes what the book shows: assets/schedulers-compared.{json,md,svg}.
compare: compare-build
	python3 tools/compare_schedulers.py build/default/bench

compare-book: compare-build
	python3 tools/compare_schedulers.py build/default/bench --book

compare-build: deps-build
	@cmake --preset default > build-configure.log || { cat build-configure.log; rm -f build-configure.log; exit 1; }
	@rm -f build-configure.log
	cmake --build --preset default --target compare-schedulers

lint: deps-lint build
	tools/lint.sh build/$(PRESET)

format: deps-lint
	clang-format -i $(SOURCES)

# Renders every diagram source in assets/ and copies the SVG into the book.
diagrams:
	@tools/deps.sh diagrams
	@for script in assets/[a-z]*.py; do python3 "$$script"; echo "rendered $${script%.py}.svg"; done
	@for source in assets/*.dot; do \
	  svg=$${source%.dot}.svg; dot -Tsvg "$$source" -o "$$svg"; \
	  echo "rendered $$svg"; \
	done
	@cp assets/*.svg book/src/images/

clean:
	rm -rf build book/html
