# irra: text-to-image person retrieval in C.
#   make run     install missing packages (as root), build, open the main program
#   make check   install missing packages, build, run every test
#   make asan    the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make clang   build everything with clang as well (into build-clang; part of check)
#   make fuzz    libFuzzer targets of every parser of untrusted input, FUZZ_SECONDS each
#   make bench   timings against the PyTorch reference (long; never part of check)
#   make install PREFIX=/usr/local DESTDIR=...
VERSION  := 0.1.0
PREFIX   ?= /usr/local
DATADIR  ?= $(PREFIX)/share/irra
CC       ?= cc
BUILD    ?= build
ARCH     := $(shell $(CC) -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
# Debian's OpenMP build of OpenBLAS, linked by path: the default libblas alternative is the
# pthread build, whose threads fight with our OpenMP threads (3.5x slower end to end).
BLASLIB  := /usr/lib/$(ARCH)/openblas-openmp
BLASINC  := /usr/include/$(ARCH)/openblas-openmp
PKGS     := stb libsixel ncursesw readline json-c yaml-0.1 libpcre2-8 libutf8proc sqlite3 zlib libdeflate \
            libwebp libtiff-4 plplot
PKGCFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# stb is header-only here: model/image.c and gallery/thumb.c compile what they use of it.
PKGLIBS   = $(filter-out -lstb,$(shell pkg-config --libs $(PKGS) 2>/dev/null))
OPT      ?= -O2 -g
SAN      ?=
CFLAGS   += -std=c11 -D_GNU_SOURCE $(OPT) $(SAN) -fopenmp -Wall -Wextra -Werror \
            -I. -I$(BLASINC) $(PKGCFLAGS) -DIRRA_VERSION='"$(VERSION)"' -DIRRA_DATADIR='"$(DATADIR)"'
# clang: "omp simd" is a request, not an order; its default (SSE2) clones cannot vectorise vexpf.
ifneq ($(findstring clang,$(shell $(CC) --version 2>/dev/null | head -1)),)
CFLAGS   += -Wno-pass-failed
endif
LDLIBS   += $(SAN) -fopenmp -L$(BLASLIB) -Wl,-rpath,$(BLASLIB) -lopenblas $(PKGLIBS) -lm -lpthread

LIB_SRC  := $(sort $(wildcard model/*.c))
CMD_SRC  := $(sort $(filter-out cmd/main.c,$(wildcard cmd/*.c gallery/*.c train/*.c tui/*.c)))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
# tests/tool_*.c: programs that test scripts drive (not run on their own by tests/run.sh)
TOOL_SRC := $(sort $(wildcard tests/tool_*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ  := $(CMD_SRC:%.c=$(BUILD)/%.o)
TESTS    := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%) $(TOOL_SRC:tests/%.c=$(BUILD)/tests/%)
HDRS     := $(wildcard model/*.h cmd/*.h gallery/*.h train/*.h tui/*.h tests/*.h)

# clang for `make clang` and `make fuzz` (libFuzzer, ASan and UBSan come with Debian's clang-14
# and libclang-rt-14-dev)
CLANG    ?= clang-14
FUZZ_SECONDS ?= 20
FUZZ_JOBS ?= 2
# One target per parser of untrusted input. To add one (the training checkpoint, the `irra grad`
# batch file when they exist): write tests/fuzz/fuzz_NAME.c; it is built and run from then on.
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/%.c=$(BUILD)/%)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined

.PHONY: all deps run check test asan clang fuzz fuzz-build fuzz-targets bench model ablation install clean
all: irra $(TESTS)

irra: $(BUILD)/irra
	@ln -sf $(BUILD)/irra irra

$(BUILD)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# stb_image_write's JPEG bit writer (compiled in gallery/thumb.c) shifts set bits past bit 31 of
# an int, undefined in C11 but harmless (only bits 16-23 are read back): UBSan is told so for
# that file, with gcc and clang alike.
$(BUILD)/gallery/thumb.o: CFLAGS += $(if $(SAN),-fno-sanitize=shift-base)
# stb_image's PNG reader (compiled in model/image.c) computes z->idata + 0 and memcpy(z->idata,
# p, 0) with z->idata NULL for a first IDAT chunk of length 0: undefined in C, harmless; found
# by fuzz_image.
STB_NOSAN := -fno-sanitize=pointer-overflow,nonnull-attribute
$(BUILD)/model/image.o: CFLAGS += $(if $(SAN),$(STB_NOSAN))

$(BUILD)/libirra.a: $(LIB_OBJ)
	@rm -f $@ && ar rcs $@ $^
$(BUILD)/libirracmd.a: $(CMD_OBJ)
	@rm -f $@ && ar rcs $@ $^

$(BUILD)/irra: $(BUILD)/cmd/main.o $(BUILD)/libirracmd.a $(BUILD)/libirra.a
	$(CC) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(BUILD)/libirracmd.a $(BUILD)/libirra.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libirracmd.a $(BUILD)/libirra.a $(LDLIBS)

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/*.h $(BUILD)/libirracmd.a $(BUILD)/libirra.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libirracmd.a $(BUILD)/libirra.a $(LDLIBS)

deps:
	@sh mk/deps.sh

# CI (.ci/run) runs this: the gcc build and every test, the clang build (compiled, not run
# again), and each fuzz target for FUZZ_SECONDS.
check: deps
	@$(MAKE) --no-print-directory all
	@sh tests/run.sh $(BUILD)
	@$(MAKE) --no-print-directory clang
	@$(MAKE) --no-print-directory fuzz

clang: deps
	@$(MAKE) --no-print-directory BUILD=build-clang CC=$(CLANG) build-clang/irra \
	    $(TESTS:$(BUILD)/%=build-clang/%)

fuzz-build: deps
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=$(CLANG) OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" fuzz-targets

fuzz-targets: $(FUZZ_BIN)

fuzz: fuzz-build
	@sh tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_JOBS)

test: all
	@sh tests/run.sh $(BUILD)

asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" all
	@ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/mk/lsan.supp \
	    IRRA_SANITIZED=1 sh tests/run.sh build-asan

bench: deps all
	@sh tests/bench.sh $(BUILD)

# The shipped model, trained by irra train from irra synth data (mk/model.sh; resumable, hours).
model: deps all
	@sh mk/model.sh $(BUILD)

# The paper's Table 3 on the shipped model's data and architecture (mk/ablation.sh; hours).
ablation: deps all
	@sh mk/ablation.sh $(BUILD)

# the browser on the shipped model and gallery (assets/): nothing to download, no Python
run: deps all
	./irra

install: $(BUILD)/irra
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(DATADIR)
	install -m 755 $(BUILD)/irra $(DESTDIR)$(PREFIX)/bin/irra
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	cp -R assets/. $(DESTDIR)$(DATADIR)/

clean:
	rm -rf build build-asan build-clang build-fuzz irra
