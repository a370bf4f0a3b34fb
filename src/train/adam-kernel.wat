;; One Adam / AdamW update over n float32 weights, four at a time (wasm SIMD), in the arrangement of PyTorch 1.13's
;; torch.optim.Adam(W) for one tensor, in float32 as torch computes it:
;;   g' = g + l2·p                (Adam's L2 decay added to the gradient; l2 = 0 for AdamW)
;;   m  = b1·m + k1·g'            (k1 = 1 − b1)
;;   v  = b2·v + k2·g'·g'         (k2 = 1 − b2)
;;   out = shrink·p − step·(m / (√v / rootC2 + eps))
;;                                (shrink = 1 − lr·wd for AdamW, else 1; step = lr / (1 − b1^t); rootC2 = √(1 − b2^t))
;; p, g, m, v and out are byte offsets in the imported memory, 16-byte aligned; n is rounded up to a multiple of 4,
;; so every region must have room for that (the caller pads them). m and v are updated in place.
;; axpy accumulates a step's gradient pieces: acc = w·d (first piece) or acc + w·d, in piece order.
(module
  (import "env" "memory" (memory 1 65536))
  (func (export "adam")
    (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $out i32) (param $n i32)
    (param $b1 f32) (param $k1 f32) (param $b2 f32) (param $k2 f32)
    (param $l2 f32) (param $shrink f32) (param $step f32) (param $rootC2 f32) (param $eps f32)
    (local $i i32) (local $end i32)
    (local $pk v128) (local $gk v128) (local $mk v128) (local $vk v128)
    (local $vb1 v128) (local $vk1 v128) (local $vb2 v128) (local $vk2 v128)
    (local $vl2 v128) (local $vshrink v128) (local $vstep v128) (local $vroot v128) (local $veps v128)
    (local.set $vb1 (f32x4.splat (local.get $b1)))
    (local.set $vk1 (f32x4.splat (local.get $k1)))
    (local.set $vb2 (f32x4.splat (local.get $b2)))
    (local.set $vk2 (f32x4.splat (local.get $k2)))
    (local.set $vl2 (f32x4.splat (local.get $l2)))
    (local.set $vshrink (f32x4.splat (local.get $shrink)))
    (local.set $vstep (f32x4.splat (local.get $step)))
    (local.set $vroot (f32x4.splat (local.get $rootC2)))
    (local.set $veps (f32x4.splat (local.get $eps)))
    ;; bytes to cover: n rounded up to 4 floats
    (local.set $end (i32.shl (i32.and (i32.add (local.get $n) (i32.const 3)) (i32.const -4)) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $pk (v128.load (i32.add (local.get $p) (local.get $i))))
        (local.set $gk (f32x4.add (v128.load (i32.add (local.get $g) (local.get $i))) (f32x4.mul (local.get $vl2) (local.get $pk))))
        (local.set $mk
          (f32x4.add (f32x4.mul (local.get $vb1) (v128.load (i32.add (local.get $m) (local.get $i))))
                     (f32x4.mul (local.get $vk1) (local.get $gk))))
        (local.set $vk
          (f32x4.add (f32x4.mul (local.get $vb2) (v128.load (i32.add (local.get $v) (local.get $i))))
                     (f32x4.mul (local.get $vk2) (f32x4.mul (local.get $gk) (local.get $gk)))))
        (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $mk))
        (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $vk))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.sub
            (f32x4.mul (local.get $vshrink) (local.get $pk))
            (f32x4.mul (local.get $vstep)
              (f32x4.div (local.get $mk)
                (f32x4.add (f32x4.div (f32x4.sqrt (local.get $vk)) (local.get $vroot)) (local.get $veps))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))

  (func (export "axpy") (param $acc i32) (param $d i32) (param $n i32) (param $w f32) (param $first i32)
    (local $i i32) (local $end i32) (local $vw v128) (local $term v128)
    (local.set $vw (f32x4.splat (local.get $w)))
    (local.set $end (i32.shl (i32.and (i32.add (local.get $n) (i32.const 3)) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $term (f32x4.mul (local.get $vw) (v128.load (i32.add (local.get $d) (local.get $i)))))
        (v128.store (i32.add (local.get $acc) (local.get $i))
          (select (result v128) (local.get $term)
            (f32x4.add (v128.load (i32.add (local.get $acc) (local.get $i))) (local.get $term))
            (local.get $first)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))
)
