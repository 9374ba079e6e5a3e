#!/bin/sh
# The browser's speed on the shipped model and gallery: keystroke to redrawn results
# (target < 50 ms), 12 sixel tiles encoded (< 150 ms), bytes per selection move (< 2 KB).
build=${1:-build}
"$build/irra" doctor --bench
