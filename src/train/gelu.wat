;; Exact GELU (torch.nn.GELU(), approximate='none') and its gradient, four floats at a time, on tfjs's wasm heap:
;;   gelu(x)  = ½·x·(1 + erf(x/√2))
;;   gelu'(x) = ½·(1 + erf(x/√2)) + x·exp(−x²/2)/√(2π)
;; erf is Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7), the formula tfjs's own Erf kernels use; exp is Cephes'
;; expf (range reduction by ln 2, degree-5 polynomial, 2ⁿ from the exponent bits). Composed of tfjs ops, a GELU and
;; its gradient were ~10 passes over the tensor and wasm's scalar Exp and Erf (ConvNeXtV2_2D: 0.9 of a 3 s step).
;; Offsets are bytes; the last n mod 4 floats are read and written one lane at a time, never past the end.
(module
  (import "env" "memory" (memory 1))

  (func $exp (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.max (local.get $x) (f32x4.splat (f32.const -87.3))))
    (local.set $x (f32x4.min (local.get $x) (f32x4.splat (f32.const 88.3))))
    (local.set $n (f32x4.floor (f32x4.add (f32x4.mul (local.get $x) (f32x4.splat (f32.const 1.44269504088896341)))
      (f32x4.splat (f32.const 0.5)))))
    (local.set $r (f32x4.sub (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 0.693359375))))
      (f32x4.mul (local.get $n) (f32x4.splat (f32.const -2.12194440e-4)))))
    (local.set $p (f32x4.splat (f32.const 1.9875691500e-4)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.3981999507e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 8.3334519073e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 4.1665795894e-2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.6666665459e-1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 5.0000001201e-1))))
    (local.set $p (f32x4.add (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
      (f32x4.splat (f32.const 1))))
    ;; × 2ⁿ: n + 127 in the exponent field. n is a whole number in [−126, 128]: added to 1.5·2²³ + 127 it lands in the
    ;; low mantissa bits, so that float's bits minus those of 1.5·2²³ are n + 127 (cheaper than trunc_sat: 12.6 → 10.4
    ;; ns per GELU value measured)
    (f32x4.mul (local.get $p)
      (i32x4.shl
        (i32x4.sub (f32x4.add (local.get $n) (f32x4.splat (f32.const 12583039))) (i32x4.splat (i32.const 0x4b400000)))
        (i32.const 23))))

  (func $erf (param $x v128) (result v128)
    (local $a v128) (local $t v128) (local $p v128)
    (local.set $a (f32x4.abs (local.get $x)))
    (local.set $t (f32x4.div (f32x4.splat (f32.const 1))
      (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (f32x4.splat (f32.const 0.3275911)) (local.get $a)))))
    (local.set $p (f32x4.splat (f32.const 1.061405429)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t)) (f32x4.splat (f32.const -1.453152027))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t)) (f32x4.splat (f32.const 1.421413741))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t)) (f32x4.splat (f32.const -0.284496736))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t)) (f32x4.splat (f32.const 0.254829592))))
    (local.set $p (f32x4.mul (local.get $p) (local.get $t)))
    ;; 1 − p·e^(−a²), with the sign of x
    (v128.bitselect (local.get $x)
      (f32x4.sub (f32x4.splat (f32.const 1))
        (f32x4.mul (local.get $p) (call $exp (f32x4.neg (f32x4.mul (local.get $a) (local.get $a))))))
      (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)))

  ;; ½(1 + erf(x/√2))
  (func $cdf (param $x v128) (result v128)
    (f32x4.mul (f32x4.splat (f32.const 0.5))
      (f32x4.add (f32x4.splat (f32.const 1)) (call $erf (f32x4.mul (local.get $x) (f32x4.splat (f32.const 0.70710678118654752)))))))

  (func $gelu4 (param $x v128) (result v128)
    (f32x4.mul (local.get $x) (call $cdf (local.get $x))))

  (func $grad4 (param $x v128) (param $dy v128) (result v128)
    (f32x4.mul (local.get $dy)
      (f32x4.add (call $cdf (local.get $x))
        (f32x4.mul (f32x4.mul (local.get $x) (f32x4.splat (f32.const 0.39894228040143268)))
          (call $exp (f32x4.mul (f32x4.splat (f32.const -0.5)) (f32x4.mul (local.get $x) (local.get $x))))))))

  ;; lanes [0, k) of the floats at p (k < 4), the others 0
  (func $loadTail (param $p i32) (param $k i32) (result v128)
    (local $v v128)
    (local.set $v (v128.const i32x4 0 0 0 0))
    (if (i32.gt_u (local.get $k) (i32.const 0)) (then (local.set $v (f32x4.replace_lane 0 (local.get $v) (f32.load (local.get $p))))))
    (if (i32.gt_u (local.get $k) (i32.const 1)) (then (local.set $v (f32x4.replace_lane 1 (local.get $v) (f32.load offset=4 (local.get $p))))))
    (if (i32.gt_u (local.get $k) (i32.const 2)) (then (local.set $v (f32x4.replace_lane 2 (local.get $v) (f32.load offset=8 (local.get $p))))))
    (local.get $v))

  (func $storeTail (param $p i32) (param $k i32) (param $v v128)
    (if (i32.gt_u (local.get $k) (i32.const 0)) (then (f32.store (local.get $p) (f32x4.extract_lane 0 (local.get $v)))))
    (if (i32.gt_u (local.get $k) (i32.const 1)) (then (f32.store offset=4 (local.get $p) (f32x4.extract_lane 1 (local.get $v)))))
    (if (i32.gt_u (local.get $k) (i32.const 2)) (then (f32.store offset=8 (local.get $p) (f32x4.extract_lane 2 (local.get $v))))))

  (func (export "gelu") (param $x i32) (param $y i32) (param $n i32)
    (local $i i32) (local $end i32)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (v128.store (i32.add (local.get $y) (local.get $i)) (call $gelu4 (v128.load (i32.add (local.get $x) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next)))
    (call $storeTail (i32.add (local.get $y) (local.get $end)) (i32.and (local.get $n) (i32.const 3))
      (call $gelu4 (call $loadTail (i32.add (local.get $x) (local.get $end)) (i32.and (local.get $n) (i32.const 3))))))

  (func (export "geluGrad") (param $x i32) (param $dy i32) (param $dx i32) (param $n i32)
    (local $i i32) (local $end i32) (local $k i32)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (v128.store (i32.add (local.get $dx) (local.get $i))
        (call $grad4 (v128.load (i32.add (local.get $x) (local.get $i))) (v128.load (i32.add (local.get $dy) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next)))
    (local.set $k (i32.and (local.get $n) (i32.const 3)))
    (call $storeTail (i32.add (local.get $dx) (local.get $end)) (local.get $k)
      (call $grad4 (call $loadTail (i32.add (local.get $x) (local.get $end)) (local.get $k))
        (call $loadTail (i32.add (local.get $dy) (local.get $end)) (local.get $k)))))
)
