;; Batch norm in training mode over x [M rows, C channels] (row-major float32, C a multiple of 4), in the imported
;; memory (tfjs's wasm heap), four channels per SIMD lane group. tfjs composes it of ~20 element-wise passes a layer
;; (moments, the normalisation, FusedBatchNorm's gradient and the moments' gradient); here it is five, and the
;; per-channel arithmetic between them (C values) is done by the caller (batch-norm-kernels.ts):
;;   stats      mean = Σx / M, m2 = Σ(x − mean)²                  (two passes)
;;   affine     y = (x − mean)·scale + β                          (scale = γ/σ)
;;   sums       sumDy = Σdy, sumDyXhat = Σdy·(x − mean)·invstd
;;   affine     dx = dy·a + (x − mean)·b + c                      (the gradient, a, b, c per channel)
;; Per-channel sums accumulate in float32 over the rows, in row order, as tfjs's own reductions do.
(module
  (import "env" "memory" (memory 1))

  (func $zero (param $p i32) (param $c i32)
    (local $j i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $j) (local.get $c)))
      (v128.store (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2))) (v128.const i32x4 0 0 0 0))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $l))))

  (func (export "stats") (param $x i32) (param $m i32) (param $c i32) (param $mean i32) (param $m2 i32)
    (local $row i32) (local $j i32) (local $p i32) (local $at i32) (local $d v128) (local $inv v128)
    (call $zero (local.get $mean) (local.get $c))
    (call $zero (local.get $m2) (local.get $c))
    (local.set $p (local.get $x))
    (local.set $row (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $m)))
      (local.set $j (i32.const 0))
      (block $done (loop $ch
        (br_if $done (i32.ge_u (local.get $j) (local.get $c)))
        (local.set $at (i32.add (local.get $mean) (i32.shl (local.get $j) (i32.const 2))))
        (v128.store (local.get $at) (f32x4.add (v128.load (local.get $at))
          (v128.load (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $ch)))
      (local.set $p (i32.add (local.get $p) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rows)))
    (local.set $inv (f32x4.splat (f32.div (f32.const 1) (f32.convert_i32_u (local.get $m)))))
    (local.set $j (i32.const 0))
    (block $done (loop $ch
      (br_if $done (i32.ge_u (local.get $j) (local.get $c)))
      (local.set $at (i32.add (local.get $mean) (i32.shl (local.get $j) (i32.const 2))))
      (v128.store (local.get $at) (f32x4.mul (v128.load (local.get $at)) (local.get $inv)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $ch)))
    (local.set $p (local.get $x))
    (local.set $row (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $m)))
      (local.set $j (i32.const 0))
      (block $done (loop $ch
        (br_if $done (i32.ge_u (local.get $j) (local.get $c)))
        (local.set $d (f32x4.sub (v128.load (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2))))
          (v128.load (i32.add (local.get $mean) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $at (i32.add (local.get $m2) (i32.shl (local.get $j) (i32.const 2))))
        (v128.store (local.get $at) (f32x4.add (v128.load (local.get $at)) (f32x4.mul (local.get $d) (local.get $d))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $ch)))
      (local.set $p (i32.add (local.get $p) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rows))))

  ;; out = (a − centerA)·scale + shift, and with x2 ≠ 0 + (x2 − center2)·scale2; per-channel centre, scale and shift
  ;; (centerA = 0: no centre). Centring first, as tfjs does, keeps |mean|/σ ≫ 1 from cancelling in float32.
  (func (export "affine") (param $a i32) (param $centerA i32) (param $x2 i32) (param $center2 i32) (param $m i32)
    (param $c i32) (param $scale i32) (param $scale2 i32) (param $shift i32) (param $out i32)
    (local $row i32) (local $j i32) (local $off i32) (local $v v128) (local $u v128) (local $rowBytes i32) (local $base i32)
    (local.set $rowBytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $row (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $m)))
      (local.set $base (i32.mul (local.get $row) (local.get $rowBytes)))
      (local.set $j (i32.const 0))
      (block $done (loop $ch
        (br_if $done (i32.ge_u (local.get $j) (local.get $rowBytes)))
        (local.set $off (i32.add (local.get $base) (local.get $j)))
        (local.set $u (v128.load (i32.add (local.get $a) (local.get $off))))
        (if (local.get $centerA)
          (then (local.set $u (f32x4.sub (local.get $u) (v128.load (i32.add (local.get $centerA) (local.get $j)))))))
        (local.set $v (f32x4.add (f32x4.mul (local.get $u) (v128.load (i32.add (local.get $scale) (local.get $j))))
          (v128.load (i32.add (local.get $shift) (local.get $j)))))
        (if (local.get $x2)
          (then (local.set $v (f32x4.add (local.get $v)
            (f32x4.mul
              (f32x4.sub (v128.load (i32.add (local.get $x2) (local.get $off))) (v128.load (i32.add (local.get $center2) (local.get $j))))
              (v128.load (i32.add (local.get $scale2) (local.get $j))))))))
        (v128.store (i32.add (local.get $out) (local.get $off)) (local.get $v))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $ch)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rows))))

  (func (export "sums") (param $x i32) (param $dy i32) (param $m i32) (param $c i32) (param $mean i32)
    (param $invstd i32) (param $sumDy i32) (param $sumDyXhat i32)
    (local $row i32) (local $j i32) (local $off i32) (local $g v128) (local $xhat v128) (local $rowBytes i32)
    (local $base i32) (local $at i32)
    (call $zero (local.get $sumDy) (local.get $c))
    (call $zero (local.get $sumDyXhat) (local.get $c))
    (local.set $rowBytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $row (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $m)))
      (local.set $base (i32.mul (local.get $row) (local.get $rowBytes)))
      (local.set $j (i32.const 0))
      (block $done (loop $ch
        (br_if $done (i32.ge_u (local.get $j) (local.get $rowBytes)))
        (local.set $off (i32.add (local.get $base) (local.get $j)))
        (local.set $g (v128.load (i32.add (local.get $dy) (local.get $off))))
        (local.set $xhat (f32x4.mul
          (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $off))) (v128.load (i32.add (local.get $mean) (local.get $j))))
          (v128.load (i32.add (local.get $invstd) (local.get $j)))))
        (local.set $at (i32.add (local.get $sumDy) (local.get $j)))
        (v128.store (local.get $at) (f32x4.add (v128.load (local.get $at)) (local.get $g)))
        (local.set $at (i32.add (local.get $sumDyXhat) (local.get $j)))
        (v128.store (local.get $at) (f32x4.add (v128.load (local.get $at)) (f32x4.mul (local.get $g) (local.get $xhat))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $ch)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rows)))))
