;; im2col and col2im for NHWC float32 tensors in the imported memory (tfjs's wasm heap), so that a convolution and
;; both its gradients become matrix products (conv-gemm.ts). Rows of the column matrix are output pixels
;; (n, i, j), its columns the taps (a, b) times the input channels c:
;;   cols[((n·Ho + i)·Wo + j), (a·kw + b)·C + c] = x[n, i·sh + a·dh − top, j·sw + b·dw − left, c], 0 outside.
;; Each tap copies C contiguous floats (four at a time, the rest one by one). col2im adds the same elements back
;; into a zeroed dx, taps in order, so its sums are the same on every run.
(module
  (import "env" "memory" (memory 1))

  ;; dst[0 .. count) = src[0 .. count) (add = 0), or dst += src (add = 1); floats
  (func $copy (param $src i32) (param $dst i32) (param $count i32) (param $add i32)
    (local $end4 i32) (local $q i32)
    (local.set $end4 (i32.and (local.get $count) (i32.const -4)))
    (local.set $q (i32.const 0))
    (if (local.get $add)
      (then
        (block $vDone (loop $v
          (br_if $vDone (i32.ge_u (local.get $q) (local.get $end4)))
          (v128.store (i32.add (local.get $dst) (i32.shl (local.get $q) (i32.const 2)))
            (f32x4.add (v128.load (i32.add (local.get $dst) (i32.shl (local.get $q) (i32.const 2))))
              (v128.load (i32.add (local.get $src) (i32.shl (local.get $q) (i32.const 2))))))
          (local.set $q (i32.add (local.get $q) (i32.const 4)))
          (br $v)))
        (block $sDone (loop $s
          (br_if $sDone (i32.ge_u (local.get $q) (local.get $count)))
          (f32.store (i32.add (local.get $dst) (i32.shl (local.get $q) (i32.const 2)))
            (f32.add (f32.load (i32.add (local.get $dst) (i32.shl (local.get $q) (i32.const 2))))
              (f32.load (i32.add (local.get $src) (i32.shl (local.get $q) (i32.const 2))))))
          (local.set $q (i32.add (local.get $q) (i32.const 1)))
          (br $s))))
      (else
        (block $vDone (loop $v
          (br_if $vDone (i32.ge_u (local.get $q) (local.get $end4)))
          (v128.store (i32.add (local.get $dst) (i32.shl (local.get $q) (i32.const 2)))
            (v128.load (i32.add (local.get $src) (i32.shl (local.get $q) (i32.const 2)))))
          (local.set $q (i32.add (local.get $q) (i32.const 4)))
          (br $v)))
        (block $sDone (loop $s
          (br_if $sDone (i32.ge_u (local.get $q) (local.get $count)))
          (f32.store (i32.add (local.get $dst) (i32.shl (local.get $q) (i32.const 2)))
            (f32.load (i32.add (local.get $src) (i32.shl (local.get $q) (i32.const 2)))))
          (local.set $q (i32.add (local.get $q) (i32.const 1)))
          (br $s))))))

  ;; dst[0 .. count) = 0 (floats)
  (func $zero (param $dst i32) (param $count i32)
    (local $q i32)
    (block $done (loop $z
      (br_if $done (i32.ge_u (local.get $q) (local.get $count)))
      (f32.store (i32.add (local.get $dst) (i32.shl (local.get $q) (i32.const 2))) (f32.const 0))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $z))))

  ;; Walks every (output pixel, tap): toCols = 1 copies x into cols (taps outside x zeroed); toCols = 0 adds cols
  ;; into x (taps outside x skipped), x having been zeroed first.
  (func $walk (param $x i32) (param $cols i32) (param $n i32) (param $h i32) (param $w i32) (param $c i32)
    (param $ho i32) (param $wo i32) (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32)
    (param $dh i32) (param $dw i32) (param $top i32) (param $left i32) (param $toCols i32)
    (local $img i32) (local $i i32) (local $j i32) (local $a i32) (local $b i32) (local $y i32) (local $xx i32)
    (local $row i32) (local $pixel i32)
    (local.set $row (local.get $cols))
    (local.set $img (i32.const 0))
    (block $imagesDone (loop $images
      (br_if $imagesDone (i32.ge_u (local.get $img) (local.get $n)))
      (local.set $i (i32.const 0))
      (block $iDone (loop $is
        (br_if $iDone (i32.ge_u (local.get $i) (local.get $ho)))
        (local.set $j (i32.const 0))
        (block $jDone (loop $js
          (br_if $jDone (i32.ge_u (local.get $j) (local.get $wo)))
          (local.set $a (i32.const 0))
          (block $aDone (loop $as
            (br_if $aDone (i32.ge_u (local.get $a) (local.get $kh)))
            (local.set $y (i32.sub (i32.add (i32.mul (local.get $i) (local.get $sh)) (i32.mul (local.get $a) (local.get $dh))) (local.get $top)))
            (local.set $b (i32.const 0))
            (block $bDone (loop $bs
              (br_if $bDone (i32.ge_u (local.get $b) (local.get $kw)))
              (local.set $xx (i32.sub (i32.add (i32.mul (local.get $j) (local.get $sw)) (i32.mul (local.get $b) (local.get $dw))) (local.get $left)))
              (if (i32.and (i32.lt_u (local.get $y) (local.get $h)) (i32.lt_u (local.get $xx) (local.get $w))) ;; unsigned: negatives are out
                (then
                  (local.set $pixel (i32.add (local.get $x) (i32.shl
                    (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $img) (local.get $h)) (local.get $y)) (local.get $w)) (local.get $xx)) (local.get $c))
                    (i32.const 2))))
                  (if (local.get $toCols)
                    (then (call $copy (local.get $pixel) (local.get $row) (local.get $c) (i32.const 0)))
                    (else (call $copy (local.get $row) (local.get $pixel) (local.get $c) (i32.const 1)))))
                (else (if (local.get $toCols) (then (call $zero (local.get $row) (local.get $c))))))
              (local.set $row (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))
              (local.set $b (i32.add (local.get $b) (i32.const 1)))
              (br $bs)))
            (local.set $a (i32.add (local.get $a) (i32.const 1)))
            (br $as)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $js)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $is)))
      (local.set $img (i32.add (local.get $img) (i32.const 1)))
      (br $images))))

  (func (export "im2col") (param $x i32) (param $cols i32) (param $n i32) (param $h i32) (param $w i32) (param $c i32)
    (param $ho i32) (param $wo i32) (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32)
    (param $dh i32) (param $dw i32) (param $top i32) (param $left i32)
    (call $walk (local.get $x) (local.get $cols) (local.get $n) (local.get $h) (local.get $w) (local.get $c)
      (local.get $ho) (local.get $wo) (local.get $kh) (local.get $kw) (local.get $sh) (local.get $sw)
      (local.get $dh) (local.get $dw) (local.get $top) (local.get $left) (i32.const 1)))

  (func (export "col2im") (param $cols i32) (param $x i32) (param $n i32) (param $h i32) (param $w i32) (param $c i32)
    (param $ho i32) (param $wo i32) (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32)
    (param $dh i32) (param $dw i32) (param $top i32) (param $left i32)
    (call $zero (local.get $x) (i32.mul (i32.mul (i32.mul (local.get $n) (local.get $h)) (local.get $w)) (local.get $c)))
    (call $walk (local.get $x) (local.get $cols) (local.get $n) (local.get $h) (local.get $w) (local.get $c)
      (local.get $ho) (local.get $wo) (local.get $kh) (local.get $kw) (local.get $sh) (local.get $sw)
      (local.get $dh) (local.get $dw) (local.get $top) (local.get $left) (i32.const 0))))
