# The browser tests' model and gallery: a random-weight IRRA model with CLIP's real vocabulary
# size (tiny widths, 384x128 input) from the PyTorch reference, and 24 synthetic crops encoded
# into a gallery by the real build. Made once per build folder ($build/tui-fixture), and again
# whenever the library is newer than the gallery (a changed encoder or fingerprint).
fixture() {
    FIX="$build/tui-fixture"
    VOCAB=assets/bpe_simple_vocab_16e6.txt.gz
    MODEL_ARGS="--model $FIX/tui/model.pth --vocab $VOCAB --gallery $FIX/gallery.db"
    [ -f "$FIX/gallery.db" ] && [ "$FIX/gallery.db" -nt "$build/libirra.a" ] && return 0
    rm -rf "$FIX"; mkdir -p "$FIX"
    /usr/bin/python3 -c "
import sys; sys.path.insert(0, 'tests/ref'); import irra_ref
irra_ref.CONFIGS['tui'] = dict(v_width=64, v_layers=1, t_width=64, t_layers=1, embed=64, patch=16,
    stride=16, img_h=384, img_w=128, context=77, vocab=49408, cmt_depth=1, num_classes=5, mlm=True, B=1)
irra_ref.generate('$FIX/tui', 'tui', 7)" >/dev/null || return 1
    rm -f "$FIX"/tui/*.bin
    "$build/tests/tool_tui_gallery" "$FIX/gallery.db.tmp" "$FIX/tui/model.pth" "$VOCAB" "$FIX/crops" 24 \
        >/dev/null && mv "$FIX/gallery.db.tmp" "$FIX/gallery.db"
}
