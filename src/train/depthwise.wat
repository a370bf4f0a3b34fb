;; Depthwise 2-D convolution, stride 1, dilation 1, one filter per channel, NHWC float32, on tfjs's wasm heap (the
;; imported memory), four channels at a time. XNNPACK has fast depthwise micro-kernels for a few filter sizes only;
;; ConvNeXt's 7×7 ran at ~0.35 GMAC/s through tfjs on our machines, and its gradients were composed of the same slow
;; kernel. Offsets are bytes; c must be a multiple of 4. Taps that fall in the zero padding are skipped, not read.
;;
;; forward:    y[b,i,j,:] = Σ_{p,q} x[b, i+p−padT, j+q−padL, :] · w[p,q,:]    (flip: w[kh−1−p, kw−1−q, :])
;;             — with flip, dy for x and padT' = kh−1−padT, this is also the input gradient
;; filterGrad: dw[p,q,:] = Σ_{b,i,j} x[b, i+p−padT, j+q−padL, :] · dy[b,i,j,:]
(module
  (import "env" "memory" (memory 1))

  ;; zero n bytes at p (n a multiple of 16)
  (func $zero (param $p i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $p) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (v128.store (local.get $p) (v128.const i32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next))))

  ;; acc[0..cb) += a[0..cb) · b[0..cb), cb bytes (a multiple of 16)
  (func $fma (param $acc i32) (param $a i32) (param $b i32) (param $cb i32)
    (local $k i32)
    (local.set $k (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $cb)))
        (v128.store (i32.add (local.get $acc) (local.get $k))
          (f32x4.add (v128.load (i32.add (local.get $acc) (local.get $k)))
            (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $k))) (v128.load (i32.add (local.get $b) (local.get $k))))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $next))))

  ;; first and one-past-last tap p with 0 ≤ i + p − pad < size, for p in [0, k): packed as lo | hi << 16
  (func $taps (param $i i32) (param $pad i32) (param $size i32) (param $k i32) (result i32)
    (local $lo i32) (local $hi i32)
    (local.set $lo (i32.sub (local.get $pad) (local.get $i)))
    (if (i32.lt_s (local.get $lo) (i32.const 0)) (then (local.set $lo (i32.const 0))))
    (local.set $hi (i32.sub (i32.add (local.get $size) (local.get $pad)) (local.get $i)))
    (if (i32.gt_s (local.get $hi) (local.get $k)) (then (local.set $hi (local.get $k))))
    (if (i32.lt_s (local.get $hi) (local.get $lo)) (then (local.set $hi (local.get $lo))))
    (i32.or (local.get $lo) (i32.shl (local.get $hi) (i32.const 16))))

  ;; mode 0: forward (acc = the output pixel, b = the filter tap); mode 1: filterGrad (acc = the filter tap, b = dy's pixel)
  (func $run (param $mode i32) (param $x i32) (param $other i32) (param $out i32)
    (param $n i32) (param $h i32) (param $wd i32) (param $c i32) (param $kh i32) (param $kw i32)
    (param $padT i32) (param $padL i32) (param $oh i32) (param $ow i32) (param $flip i32)
    (local $cb i32) (local $b i32) (local $i i32) (local $j i32) (local $p i32) (local $q i32)
    (local $pr i32) (local $qr i32) (local $pEnd i32) (local $qEnd i32) (local $pix i32)
    (local $xrow i32) (local $tap i32) (local $fp i32) (local $fq i32)
    (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
    (if (i32.eqz (local.get $mode))
      (then (call $zero (local.get $out) (i32.mul (i32.mul (i32.mul (local.get $n) (local.get $oh)) (local.get $ow)) (local.get $cb))))
      (else (call $zero (local.get $out) (i32.mul (i32.mul (local.get $kh) (local.get $kw)) (local.get $cb)))))
    (local.set $b (i32.const 0))
    (block $bDone (loop $bLoop
      (br_if $bDone (i32.ge_u (local.get $b) (local.get $n)))
      (local.set $i (i32.const 0))
      (block $iDone (loop $iLoop
        (br_if $iDone (i32.ge_u (local.get $i) (local.get $oh)))
        (local.set $pr (call $taps (local.get $i) (local.get $padT) (local.get $h) (local.get $kh)))
        (local.set $pEnd (i32.shr_u (local.get $pr) (i32.const 16)))
        (local.set $j (i32.const 0))
        (block $jDone (loop $jLoop
          (br_if $jDone (i32.ge_u (local.get $j) (local.get $ow)))
          (local.set $qr (call $taps (local.get $j) (local.get $padL) (local.get $wd) (local.get $kw)))
          (local.set $qEnd (i32.shr_u (local.get $qr) (i32.const 16)))
          ;; the output pixel (b, i, j): y's in forward, dy's in filterGrad
          (local.set $pix (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $oh)) (local.get $i)) (local.get $ow)) (local.get $j)) (local.get $cb)))
          (local.set $p (i32.and (local.get $pr) (i32.const 0xffff)))
          (block $pDone (loop $pLoop
            (br_if $pDone (i32.ge_u (local.get $p) (local.get $pEnd)))
            ;; x's row b, i + p − padT, at column j − padL (the tap q = 0)
            (local.set $xrow (i32.mul
              (i32.sub (i32.mul (i32.add (i32.mul (local.get $b) (local.get $h)) (i32.sub (i32.add (local.get $i) (local.get $p)) (local.get $padT))) (local.get $wd))
                (i32.sub (local.get $padL) (local.get $j)))
              (local.get $cb)))
            (local.set $fp (select (i32.sub (i32.sub (local.get $kh) (i32.const 1)) (local.get $p)) (local.get $p) (local.get $flip)))
            (local.set $q (i32.and (local.get $qr) (i32.const 0xffff)))
            (block $qDone (loop $qLoop
              (br_if $qDone (i32.ge_u (local.get $q) (local.get $qEnd)))
              (local.set $fq (select (i32.sub (i32.sub (local.get $kw) (i32.const 1)) (local.get $q)) (local.get $q) (local.get $flip)))
              (local.set $tap (i32.mul (i32.add (i32.mul (local.get $fp) (local.get $kw)) (local.get $fq)) (local.get $cb)))
              (if (i32.eqz (local.get $mode))
                (then (call $fma (i32.add (local.get $out) (local.get $pix))
                  (i32.add (local.get $x) (i32.add (local.get $xrow) (i32.mul (local.get $q) (local.get $cb))))
                  (i32.add (local.get $other) (local.get $tap)) (local.get $cb)))
                (else (call $fma (i32.add (local.get $out) (local.get $tap))
                  (i32.add (local.get $x) (i32.add (local.get $xrow) (i32.mul (local.get $q) (local.get $cb))))
                  (i32.add (local.get $other) (local.get $pix)) (local.get $cb))))
              (local.set $q (i32.add (local.get $q) (i32.const 1)))
              (br $qLoop)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $pLoop)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $jLoop)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $iLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bLoop))))

  (func (export "forward") (param $x i32) (param $w i32) (param $y i32)
    (param $n i32) (param $h i32) (param $wd i32) (param $c i32) (param $kh i32) (param $kw i32)
    (param $padT i32) (param $padL i32) (param $oh i32) (param $ow i32) (param $flip i32)
    (call $run (i32.const 0) (local.get $x) (local.get $w) (local.get $y) (local.get $n) (local.get $h) (local.get $wd)
      (local.get $c) (local.get $kh) (local.get $kw) (local.get $padT) (local.get $padL) (local.get $oh) (local.get $ow)
      (local.get $flip)))

  (func (export "filterGrad") (param $x i32) (param $dy i32) (param $dw i32)
    (param $n i32) (param $h i32) (param $wd i32) (param $c i32) (param $kh i32) (param $kw i32)
    (param $padT i32) (param $padL i32) (param $oh i32) (param $ow i32)
    (call $run (i32.const 1) (local.get $x) (local.get $dy) (local.get $dw) (local.get $n) (local.get $h) (local.get $wd)
      (local.get $c) (local.get $kh) (local.get $kw) (local.get $padT) (local.get $padL) (local.get $oh) (local.get $ow)
      (i32.const 0)))
)
