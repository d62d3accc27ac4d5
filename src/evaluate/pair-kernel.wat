;; The binary paired bootstrap's kernel in WebAssembly: the same passes as pair-kernel.ts's
;; JavaScript (see its header for the layout), on arrays copied once into this module's memory.
;; Every floating-point sum is accumulated in the same order with the same operations as the
;; JavaScript (no fused multiply-add), so both give bit-identical results. The one exception,
;; AUC·P·N, is exact both ways: here an int64 count of halves, Σ negatives · (2 · positives
;; before + positives in the group), there a float64 sum of multiples of 1/2 below 2^52 (layouts
;; up to 2 GiB of memory hold fewer than 2^26 rows). Integer ops on integers are cheaper than the
;; four conversions the float64 form needs per row.
;;
;; Compiled into src/evaluate/pair-kernel-wasm.ts by `node scripts/build-wasm.mjs`.
;; All offsets are byte offsets into the memory; `out` receives float64 results.
(module
  (memory (export "memory") 1)

  ;; Multinomial counts of n draws from n rows into w[0..n): xoshiro128** from state (a, b, c, d),
  ;; a draw is trunc(u32 · scale) with scale = n / 2^32 (bootstrap.ts resampleCounts). For
  ;; n ≤ 2^21 the product u32 · n is below 2^53, so the float64 product is exact and the draw
  ;; equals (u32 · n) >> 32 in integers: one 64-bit multiply instead of two conversions and a
  ;; range-checked truncation. Larger n keeps the float64 form (rounded products).
  (func (export "draw") (param $w i32) (param $n i32) (param $a i32) (param $b i32) (param $c i32) (param $d i32) (param $scale f64)
    (local $end i32) (local $r i32) (local $t i32) (local $p i32) (local $n64 i64)
    (memory.fill (local.get $w) (i32.const 0) (local.get $n))
    (if (i32.eqz (local.get $n)) (then (return)))
    (local.set $end (local.get $n))
    (if (i32.le_u (local.get $n) (i32.const 0x200000)) (then
      (local.set $n64 (i64.extend_i32_u (local.get $n)))
      (loop $exact
        (local.set $r (i32.mul (i32.rotl (i32.mul (local.get $b) (i32.const 5)) (i32.const 7)) (i32.const 9)))
        (local.set $t (i32.shl (local.get $b) (i32.const 9)))
        (local.set $c (i32.xor (local.get $c) (local.get $a)))
        (local.set $d (i32.xor (local.get $d) (local.get $b)))
        (local.set $b (i32.xor (local.get $b) (local.get $c)))
        (local.set $a (i32.xor (local.get $a) (local.get $d)))
        (local.set $c (i32.xor (local.get $c) (local.get $t)))
        (local.set $d (i32.rotl (local.get $d) (i32.const 11)))
        (local.set $p (i32.add (local.get $w)
          (i32.wrap_i64 (i64.shr_u (i64.mul (i64.extend_i32_u (local.get $r)) (local.get $n64)) (i64.const 32)))))
        (i32.store8 (local.get $p) (i32.add (i32.load8_u (local.get $p)) (i32.const 1)))
        (br_if $exact (local.tee $end (i32.sub (local.get $end) (i32.const 1)))))
      (return)))
    (loop $next
      (local.set $r (i32.mul (i32.rotl (i32.mul (local.get $b) (i32.const 5)) (i32.const 7)) (i32.const 9)))
      (local.set $t (i32.shl (local.get $b) (i32.const 9)))
      (local.set $c (i32.xor (local.get $c) (local.get $a)))
      (local.set $d (i32.xor (local.get $d) (local.get $b)))
      (local.set $b (i32.xor (local.get $b) (local.get $c)))
      (local.set $a (i32.xor (local.get $a) (local.get $d)))
      (local.set $c (i32.xor (local.get $c) (local.get $t)))
      (local.set $d (i32.rotl (local.get $d) (i32.const 11)))
      (local.set $p (i32.add (local.get $w)
        (i32.trunc_sat_f64_u (f64.mul (f64.convert_i32_u (local.get $r)) (local.get $scale)))))
      (i32.store8 (local.get $p) (i32.add (i32.load8_u (local.get $p)) (i32.const 1)))
      (br_if $next (local.tee $end (i32.sub (local.get $end) (i32.const 1))))))

  ;; The champion's order (pair-kernel.ts championPass): out[0..9] = Σw·llA, Σw·llB, Σw·brA,
  ;; Σw·brB, AUC·P·N, AP·P, Σw, Σw·label, and when prefix ≥ 0 Σw and Σw·label over the first
  ;; `prefix` rows; the weights scattered into the challenger's order (wB[toB[k]] = w[k]).
  ;; flags[k] = label | … | group end << 3; loss: 4 float32 per row; toB: int32 per row;
  ;; recip[j] = 1/j as float64.
  (func (export "champion") (param $w i32) (param $flags i32) (param $loss i32) (param $toB i32) (param $wB i32)
      (param $recip i32) (param $n i32) (param $prefix i32) (param $out i32)
    (local $k i32) (local $end i32) (local $x i32) (local $f i32) (local $m i32)
    (local $tg i32) (local $wg i32) (local $tge i32) (local $wge i32)
    (local $tpCum i32) (local $wCum i32) (local $tpGroup i32) (local $wGroup i32)
    (local $auc2 i64) (local $ap f64) (local $xv v128) (local $ll v128) (local $br v128)
    (local.set $end (select (local.get $prefix) (local.get $n) (i32.ge_s (local.get $prefix) (i32.const 0))))
    (loop $segment
      (if (i32.lt_u (local.get $k) (local.get $end)) (then
        (loop $row
          (local.set $x (i32.load8_u (i32.add (local.get $w) (local.get $k))))
          (i32.store8 (i32.add (local.get $wB) (i32.load (i32.add (local.get $toB) (i32.shl (local.get $k) (i32.const 2))))) (local.get $x))
          (local.set $f (i32.load8_u (i32.add (local.get $flags) (local.get $k))))
          (local.set $m (i32.sub (i32.shr_u (local.get $f) (i32.const 3)) (i32.const 1)))
          ;; [la, lb] += x · [llA, llB]; [ba, bb] += x · [brA, brB]
          (local.set $xv (f64x2.splat (f64.convert_i32_u (local.get $x))))
          (local.set $ll (f64x2.add (local.get $ll) (f64x2.mul (local.get $xv)
            (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $loss) (i32.shl (local.get $k) (i32.const 4)))))))
          )
          (local.set $br (f64x2.add (local.get $br) (f64x2.mul (local.get $xv)
            (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $loss) (i32.shl (local.get $k) (i32.const 4)))))))
          )
          ;; ranking, branch-free (m = 0 at a group end, −1 inside a group)
          (local.set $tg (i32.add (local.get $tpGroup) (i32.and (local.get $x) (i32.sub (i32.const 0) (i32.and (local.get $f) (i32.const 1))))))
          (local.set $wg (i32.add (local.get $wGroup) (local.get $x)))
          (local.set $tge (i32.and (local.get $tg) (i32.xor (local.get $m) (i32.const -1))))
          (local.set $wge (i32.and (local.get $wg) (i32.xor (local.get $m) (i32.const -1))))
          (local.set $auc2 (i64.add (local.get $auc2) (i64.mul
            (i64.extend_i32_s (i32.sub (local.get $wge) (local.get $tge)))
            (i64.extend_i32_s (i32.add (i32.shl (local.get $tpCum) (i32.const 1)) (local.get $tg))))))
          (local.set $tpCum (i32.add (local.get $tpCum) (local.get $tge)))
          (local.set $wCum (i32.add (local.get $wCum) (local.get $wge)))
          (local.set $ap (f64.add (local.get $ap) (f64.mul (f64.convert_i32_s (local.get $tge))
            (f64.mul (f64.convert_i32_s (local.get $tpCum)) (f64.load (i32.add (local.get $recip) (i32.shl (local.get $wCum) (i32.const 3))))))))
          (local.set $tpGroup (i32.and (local.get $tg) (local.get $m)))
          (local.set $wGroup (i32.and (local.get $wg) (local.get $m)))
          (br_if $row (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $end)))))
      )
      (if (i32.eq (local.get $end) (local.get $prefix)) (then
        (f64.store offset=64 (local.get $out) (f64.convert_i32_s (i32.add (local.get $wCum) (local.get $wGroup))))
        (f64.store offset=72 (local.get $out) (f64.convert_i32_s (i32.add (local.get $tpCum) (local.get $tpGroup))))))
      (if (i32.lt_u (local.get $end) (local.get $n)) (then
        (local.set $end (local.get $n))
        (br $segment))))
    (f64.store offset=0 (local.get $out) (f64x2.extract_lane 0 (local.get $ll)))
    (f64.store offset=8 (local.get $out) (f64x2.extract_lane 1 (local.get $ll)))
    (f64.store offset=16 (local.get $out) (f64x2.extract_lane 0 (local.get $br)))
    (f64.store offset=24 (local.get $out) (f64x2.extract_lane 1 (local.get $br)))
    (f64.store offset=32 (local.get $out) (f64.mul (f64.convert_i64_s (local.get $auc2)) (f64.const 0.5)))
    (f64.store offset=40 (local.get $out) (local.get $ap))
    (f64.store offset=48 (local.get $out) (f64.convert_i32_s (i32.add (local.get $wCum) (local.get $wGroup))))
    (f64.store offset=56 (local.get $out) (f64.convert_i32_s (i32.add (local.get $tpCum) (local.get $tpGroup)))))

  ;; The challenger's ranking in its order (pair-kernel.ts rankPass): flagsB[q] = label | group
  ;; end << 1; out[0..1] = AUC·P·N, AP·P, and when prefix ≥ 0 out[2..3] = Σw and Σw·label over
  ;; the first `prefix` rows.
  (func (export "rank") (param $w i32) (param $flags i32) (param $recip i32) (param $n i32) (param $prefix i32) (param $out i32)
    (local $k i32) (local $end i32) (local $x i32) (local $f i32) (local $m i32)
    (local $tg i32) (local $wg i32) (local $tge i32) (local $wge i32)
    (local $tpCum i32) (local $wCum i32) (local $tpGroup i32) (local $wGroup i32)
    (local $auc2 i64) (local $ap f64)
    (local.set $end (select (local.get $prefix) (local.get $n) (i32.ge_s (local.get $prefix) (i32.const 0))))
    (loop $segment
      (if (i32.lt_u (local.get $k) (local.get $end)) (then
        (loop $row
          (local.set $x (i32.load8_u (i32.add (local.get $w) (local.get $k))))
          (local.set $f (i32.load8_u (i32.add (local.get $flags) (local.get $k))))
          (local.set $m (i32.sub (i32.shr_u (local.get $f) (i32.const 1)) (i32.const 1)))
          (local.set $tg (i32.add (local.get $tpGroup) (i32.and (local.get $x) (i32.sub (i32.const 0) (i32.and (local.get $f) (i32.const 1))))))
          (local.set $wg (i32.add (local.get $wGroup) (local.get $x)))
          (local.set $tge (i32.and (local.get $tg) (i32.xor (local.get $m) (i32.const -1))))
          (local.set $wge (i32.and (local.get $wg) (i32.xor (local.get $m) (i32.const -1))))
          (local.set $auc2 (i64.add (local.get $auc2) (i64.mul
            (i64.extend_i32_s (i32.sub (local.get $wge) (local.get $tge)))
            (i64.extend_i32_s (i32.add (i32.shl (local.get $tpCum) (i32.const 1)) (local.get $tg))))))
          (local.set $tpCum (i32.add (local.get $tpCum) (local.get $tge)))
          (local.set $wCum (i32.add (local.get $wCum) (local.get $wge)))
          (local.set $ap (f64.add (local.get $ap) (f64.mul (f64.convert_i32_s (local.get $tge))
            (f64.mul (f64.convert_i32_s (local.get $tpCum)) (f64.load (i32.add (local.get $recip) (i32.shl (local.get $wCum) (i32.const 3))))))))
          (local.set $tpGroup (i32.and (local.get $tg) (local.get $m)))
          (local.set $wGroup (i32.and (local.get $wg) (local.get $m)))
          (br_if $row (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $end)))))
      )
      (if (i32.eq (local.get $end) (local.get $prefix)) (then
        (f64.store offset=16 (local.get $out) (f64.convert_i32_s (i32.add (local.get $wCum) (local.get $wGroup))))
        (f64.store offset=24 (local.get $out) (f64.convert_i32_s (i32.add (local.get $tpCum) (local.get $tpGroup))))))
      (if (i32.lt_u (local.get $end) (local.get $n)) (then
        (local.set $end (local.get $n))
        (br $segment))))
    (f64.store offset=0 (local.get $out) (f64.mul (f64.convert_i64_s (local.get $auc2)) (f64.const 0.5)))
    (f64.store offset=8 (local.get $out) (local.get $ap)))

  ;; Predicted positives not a prefix of the score orders (pair-kernel.ts countingSums):
  ;; out[0..3] = champion predicted, champion tp, challenger predicted, challenger tp, from
  ;; flags bit 1 (champion predicts positive) and bit 2 (challenger).
  (func (export "counting") (param $w i32) (param $flags i32) (param $n i32) (param $out i32)
    (local $k i32) (local $x i32) (local $f i32) (local $xy i32) (local $a i32) (local $b i32)
    (local $predA i32) (local $predB i32) (local $tpA i32) (local $tpB i32)
    (if (i32.gt_s (local.get $n) (i32.const 0)) (then
      (loop $row
        (local.set $x (i32.load8_u (i32.add (local.get $w) (local.get $k))))
        (local.set $f (i32.load8_u (i32.add (local.get $flags) (local.get $k))))
        (local.set $xy (i32.and (local.get $x) (i32.sub (i32.const 0) (i32.and (local.get $f) (i32.const 1)))))
        (local.set $a (i32.sub (i32.const 0) (i32.and (i32.shr_u (local.get $f) (i32.const 1)) (i32.const 1))))
        (local.set $b (i32.sub (i32.const 0) (i32.and (i32.shr_u (local.get $f) (i32.const 2)) (i32.const 1))))
        (local.set $predA (i32.add (local.get $predA) (i32.and (local.get $x) (local.get $a))))
        (local.set $predB (i32.add (local.get $predB) (i32.and (local.get $x) (local.get $b))))
        (local.set $tpA (i32.add (local.get $tpA) (i32.and (local.get $xy) (local.get $a))))
        (local.set $tpB (i32.add (local.get $tpB) (i32.and (local.get $xy) (local.get $b))))
        (br_if $row (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $n))))))
    (f64.store offset=0 (local.get $out) (f64.convert_i32_s (local.get $predA)))
    (f64.store offset=8 (local.get $out) (f64.convert_i32_s (local.get $tpA)))
    (f64.store offset=16 (local.get $out) (f64.convert_i32_s (local.get $predB)))
    (f64.store offset=24 (local.get $out) (f64.convert_i32_s (local.get $tpB))))
)
