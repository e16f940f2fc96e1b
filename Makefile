# copylab — build, run, test, bench.
#
#   make            build ./copylab (release flags)
#   make run        install missing Debian packages (as root), build, open the TUI
#   make test       build under ASan+UBSan and run every suite
#   make bench      one JSON line per benchmark
#   make valgrind   the release binary under valgrind (memcheck, leaks) for a
#                   spread of commands and a short TUI session
#   make deps       check pkg-config modules; apt-get install what is missing
#
# O=DIR puts objects and binaries in DIR (default build), so two builds can
# share a tree without clobbering each other.

O       ?= build
CC      ?= cc
PKGS    := ncursesw readline sqlite3 libcurl libcjson
# readline ships no .pc on some systems; probe each module on its own so one
# missing .pc never hides the others (nnn does the same).
pc_cflags = $(foreach p,$(PKGS),$(shell pkg-config --cflags $(p) 2>/dev/null))
core_cflags = $(foreach p,sqlite3 libcurl libcjson,$(shell pkg-config --cflags $(p) 2>/dev/null))
pc_libs   = $(foreach p,$(PKGS),$(shell pkg-config --libs $(p) 2>/dev/null || echo -l$(p:lib%=%)))

WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wundef -Wcast-qual -Wno-unused-parameter
STD     := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64
CFLAGS  ?= -O2 -g
ALL_CFLAGS = $(STD) $(WARN) $(CFLAGS) -I. -MMD -MP
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

CORE_SRC  := $(wildcard core/*.c)
CLI_SRC   := $(wildcard cli/*.c)
TUI_SRC   := $(wildcard tui/*.c)
TEST_SRC  := $(wildcard tests/core/test_*.c)
PLUG_SRC  := $(wildcard plugins/*/*.c)

# Release build.
CORE_OBJ  := $(CORE_SRC:%.c=$(O)/rel/%.o)
APP_OBJ   := $(CLI_SRC:%.c=$(O)/rel/%.o) $(TUI_SRC:%.c=$(O)/rel/%.o)
# Sanitizer build (tests).
CORE_AOBJ := $(CORE_SRC:%.c=$(O)/asan/%.o)
APP_AOBJ  := $(CLI_SRC:%.c=$(O)/asan/%.o) $(TUI_SRC:%.c=$(O)/asan/%.o)
TEST_BIN  := $(TEST_SRC:tests/core/%.c=$(O)/asan/tests/%)

LIBS    = $(pc_libs) -lm -lpthread -ldl
CORE_LIBS = $(foreach p,sqlite3 libcurl libcjson,$(shell pkg-config --libs $(p) 2>/dev/null)) -lm -lpthread -ldl

.PHONY: all run test bench deps clean demo plugins-build valgrind
all: $(O)/copylab copylab

copylab: $(O)/copylab
	@ln -sf $(O)/copylab copylab

# V=1 shows the full compiler lines.
Q := $(if $(V),,@)

$(O)/rel/%.o: %.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  CC      $<";)$(CC) $(ALL_CFLAGS) $(if $(filter core/%,$<),$(core_cflags),$(pc_cflags)) -c $< -o $@

$(O)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  CC asan $<";)$(CC) $(ALL_CFLAGS) $(SAN) -O1 $(if $(filter core/%,$<),$(core_cflags),$(pc_cflags)) -c $< -o $@

$(O)/libcore.a: $(CORE_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(O)/asan/libcore.a: $(CORE_AOBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(O)/copylab: $(APP_OBJ) $(O)/libcore.a
	$(if $(V),,@echo "  LD      $@";)$(CC) $(CFLAGS) -rdynamic -o $@ $(APP_OBJ) $(O)/libcore.a $(LIBS)

$(O)/asan/copylab: $(APP_AOBJ) $(O)/asan/libcore.a
	$(if $(V),,@echo "  LD      $@";)$(CC) $(SAN) -rdynamic -o $@ $(APP_AOBJ) $(O)/asan/libcore.a $(LIBS)

# Core tests link libcore.a alone: no curses, no readline.
$(O)/asan/tests/%: tests/core/%.c $(O)/asan/libcore.a
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  TEST    $<";)$(CC) $(ALL_CFLAGS) $(SAN) -O1 $(core_cflags) -o $@ $< $(O)/asan/libcore.a $(CORE_LIBS) -lcmocka

deps:
	@sh scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	./copylab

demo: deps
	@$(MAKE) --no-print-directory all
	./copylab --demo

test: deps
	@$(MAKE) --no-print-directory $(O)/asan/copylab $(TEST_BIN) plugins-build || \
		{ echo; echo "the test build failed"; echo "0 passed, 1 failed"; exit 1; }
	@O=$(O) sh tests/run.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@O=$(O) sh bench/run.sh

valgrind:
	@COPYLAB_DEPS_VALGRIND=1 sh scripts/deps.sh
	@$(MAKE) --no-print-directory all plugins-build
	@O=$(O) sh tests/valgrind.sh

plugins-build:
	@if [ -f plugins/Makefile ]; then $(MAKE) --no-print-directory -C plugins O=$(abspath $(O))/plugins; fi

clean:
	rm -rf $(O) copylab

-include $(CORE_OBJ:.o=.d) $(APP_OBJ:.o=.d) $(CORE_AOBJ:.o=.d) $(APP_AOBJ:.o=.d) $(TEST_BIN:=.d)
