;; Layer normalisation over the last axis (rows × c, c a multiple of 4), forward and backward, on tfjs's wasm heap,
;; four channels at a time. Composed of tfjs ops, a layer norm was ~8 element-wise passes forward and ~15 backward.
;;   forward:  μ = Σx/c, σ² = Σ(x − μ)²/c (two passes, as tf.moments), r = 1/√(σ² + eps), x̂ = (x − μ)·r,
;;             y = x̂·γ + β; μ and r are written per row for the backward
;;   backward: g = dy·γ, dx = r·(g − mean(g) − x̂·mean(g·x̂)), dγ = Σ_rows dy·x̂, dβ = Σ_rows dy
;; Offsets are bytes.
(module
  (import "env" "memory" (memory 1))

  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  (func (export "forward") (param $x i32) (param $gamma i32) (param $beta i32) (param $y i32)
    (param $mean i32) (param $rstd i32) (param $rows i32) (param $c i32) (param $eps f32)
    (local $row i32) (local $k i32) (local $cb i32) (local $xr i32) (local $yr i32)
    (local $acc v128) (local $d v128) (local $mu f32) (local $r f32) (local $vmu v128) (local $vr v128)
    (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
    (block $rowsDone (loop $rowLoop
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
      (local.set $xr (i32.add (local.get $x) (i32.mul (local.get $row) (local.get $cb))))
      (local.set $yr (i32.add (local.get $y) (i32.mul (local.get $row) (local.get $cb))))
      ;; μ
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $k (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $k) (local.get $cb)))
        (local.set $acc (f32x4.add (local.get $acc) (v128.load (i32.add (local.get $xr) (local.get $k)))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $l1)))
      (local.set $mu (f32.div (call $hsum (local.get $acc)) (f32.convert_i32_u (local.get $c))))
      (local.set $vmu (f32x4.splat (local.get $mu)))
      ;; σ²
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $k (i32.const 0))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $k) (local.get $cb)))
        (local.set $d (f32x4.sub (v128.load (i32.add (local.get $xr) (local.get $k))) (local.get $vmu)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $d) (local.get $d))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $l2)))
      (local.set $r (f32.div (f32.const 1)
        (f32.sqrt (f32.add (f32.div (call $hsum (local.get $acc)) (f32.convert_i32_u (local.get $c))) (local.get $eps)))))
      (local.set $vr (f32x4.splat (local.get $r)))
      (f32.store (i32.add (local.get $mean) (i32.shl (local.get $row) (i32.const 2))) (local.get $mu))
      (f32.store (i32.add (local.get $rstd) (i32.shl (local.get $row) (i32.const 2))) (local.get $r))
      ;; y = (x − μ)·r·γ + β
      (local.set $k (i32.const 0))
      (block $d3 (loop $l3
        (br_if $d3 (i32.ge_u (local.get $k) (local.get $cb)))
        (v128.store (i32.add (local.get $yr) (local.get $k))
          (f32x4.add
            (f32x4.mul
              (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $xr) (local.get $k))) (local.get $vmu)) (local.get $vr))
              (v128.load (i32.add (local.get $gamma) (local.get $k))))
            (v128.load (i32.add (local.get $beta) (local.get $k)))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $l3)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rowLoop))))

  ;; dgamma and dbeta are zeroed here and summed over the rows
  (func (export "backward") (param $x i32) (param $gamma i32) (param $dy i32) (param $mean i32) (param $rstd i32)
    (param $dx i32) (param $dgamma i32) (param $dbeta i32) (param $rows i32) (param $c i32)
    (local $row i32) (local $k i32) (local $cb i32) (local $xr i32) (local $dyr i32) (local $dxr i32)
    (local $vmu v128) (local $vr v128) (local $xhat v128) (local $g v128) (local $dyk v128)
    (local $sg v128) (local $sgx v128) (local $va v128) (local $vb v128) (local $inv f32)
    (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
    (local.set $inv (f32.div (f32.const 1) (f32.convert_i32_u (local.get $c))))
    (local.set $k (i32.const 0))
    (block $z (loop $zl
      (br_if $z (i32.ge_u (local.get $k) (local.get $cb)))
      (v128.store (i32.add (local.get $dgamma) (local.get $k)) (v128.const i32x4 0 0 0 0))
      (v128.store (i32.add (local.get $dbeta) (local.get $k)) (v128.const i32x4 0 0 0 0))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br $zl)))
    (block $rowsDone (loop $rowLoop
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
      (local.set $xr (i32.add (local.get $x) (i32.mul (local.get $row) (local.get $cb))))
      (local.set $dyr (i32.add (local.get $dy) (i32.mul (local.get $row) (local.get $cb))))
      (local.set $dxr (i32.add (local.get $dx) (i32.mul (local.get $row) (local.get $cb))))
      (local.set $vmu (f32x4.splat (f32.load (i32.add (local.get $mean) (i32.shl (local.get $row) (i32.const 2))))))
      (local.set $vr (f32x4.splat (f32.load (i32.add (local.get $rstd) (i32.shl (local.get $row) (i32.const 2))))))
      ;; Σg and Σg·x̂ over the row; dγ, dβ accumulate
      (local.set $sg (v128.const i32x4 0 0 0 0))
      (local.set $sgx (v128.const i32x4 0 0 0 0))
      (local.set $k (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $k) (local.get $cb)))
        (local.set $xhat (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $xr) (local.get $k))) (local.get $vmu)) (local.get $vr)))
        (local.set $dyk (v128.load (i32.add (local.get $dyr) (local.get $k))))
        (local.set $g (f32x4.mul (local.get $dyk) (v128.load (i32.add (local.get $gamma) (local.get $k)))))
        (local.set $sg (f32x4.add (local.get $sg) (local.get $g)))
        (local.set $sgx (f32x4.add (local.get $sgx) (f32x4.mul (local.get $g) (local.get $xhat))))
        (v128.store (i32.add (local.get $dgamma) (local.get $k))
          (f32x4.add (v128.load (i32.add (local.get $dgamma) (local.get $k))) (f32x4.mul (local.get $dyk) (local.get $xhat))))
        (v128.store (i32.add (local.get $dbeta) (local.get $k))
          (f32x4.add (v128.load (i32.add (local.get $dbeta) (local.get $k))) (local.get $dyk)))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $l1)))
      (local.set $va (f32x4.splat (f32.mul (call $hsum (local.get $sg)) (local.get $inv))))
      (local.set $vb (f32x4.splat (f32.mul (call $hsum (local.get $sgx)) (local.get $inv))))
      ;; dx = r·(g − a − x̂·b)
      (local.set $k (i32.const 0))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $k) (local.get $cb)))
        (local.set $xhat (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $xr) (local.get $k))) (local.get $vmu)) (local.get $vr)))
        (local.set $g (f32x4.mul (v128.load (i32.add (local.get $dyr) (local.get $k))) (v128.load (i32.add (local.get $gamma) (local.get $k)))))
        (v128.store (i32.add (local.get $dxr) (local.get $k))
          (f32x4.mul (local.get $vr)
            (f32x4.sub (f32x4.sub (local.get $g) (local.get $va)) (f32x4.mul (local.get $xhat) (local.get $vb)))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $l2)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rowLoop))))
)
