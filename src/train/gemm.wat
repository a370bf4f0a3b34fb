;; C[m,n] = A[m,k] · B[k,n] (row-major float32, all in the imported memory: tfjs's wasm heap), with fused
;; multiply-adds (relaxed SIMD's f32x4.relaxed_madd, which V8 lowers to FMA where the CPU has it). m, k, n ≥ 1. The
;; caller gives a 16-byte aligned scratch area of GEMM_SCRATCH_BYTES (gemm.ts): 256×256 floats of packed B, then a
;; 4×8 tile for the columns of a last panel narrower than 8.
;;
;; Blocking, as GotoBLAS/BLIS do it without packing A: for each block of 256 rows of B (kc) and 256 of its columns
;; (nc), B's block is copied into panels of 8 columns, each panel contiguous ([kc][8]), so that the micro-kernel
;; reads it as one stream; 256×256 floats (256 KiB) stay in L2 while every row block of A passes over them. The
;; micro-kernel keeps a 4×8 tile of C in eight registers: per step of k, two loads of B, four broadcasts of A and
;; eight fused multiply-adds. A's four rows are read in place (four sequential streams; 4 KiB of them per kc block
;; stay in L1 across the panels). The first kc block stores into C, the later ones add to it. Rows past the last
;; full block of 4 use a one-row tile.
(module
  (import "env" "memory" (memory 1))

  ;; packs B[p0 .. p0+kc, j0 .. j0+nc] (row stride ldb bytes) into dst as ⌈nc/8⌉ panels of [kc][8]; a last panel of
  ;; fewer than 8 columns is filled up with zeros
  (func $pack (param $b i32) (param $ldb i32) (param $kc i32) (param $nc i32) (param $dst i32)
    (local $j i32) (local $p i32) (local $src i32) (local $rem i32) (local $q i32)
    (local.set $j (i32.const 0))
    (loop $panels
      (local.set $src (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
      (local.set $p (local.get $kc))
      (local.set $rem (i32.sub (local.get $nc) (local.get $j)))
      (if (i32.ge_u (local.get $rem) (i32.const 8))
        (then
          (loop $rows
            (v128.store (local.get $dst) (v128.load (local.get $src)))
            (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $src)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
            (local.set $src (i32.add (local.get $src) (local.get $ldb)))
            (br_if $rows (local.tee $p (i32.sub (local.get $p) (i32.const 1))))))
        (else
          (loop $edgeRows
            (v128.store (local.get $dst) (v128.const i32x4 0 0 0 0))
            (v128.store offset=16 (local.get $dst) (v128.const i32x4 0 0 0 0))
            (local.set $q (i32.const 0))
            (loop $cols
              (f32.store (i32.add (local.get $dst) (i32.shl (local.get $q) (i32.const 2)))
                (f32.load (i32.add (local.get $src) (i32.shl (local.get $q) (i32.const 2)))))
              (br_if $cols (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $rem))))
            (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
            (local.set $src (i32.add (local.get $src) (local.get $ldb)))
            (br_if $edgeRows (local.tee $p (i32.sub (local.get $p) (i32.const 1)))))))
      (br_if $panels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $nc)))))

  ;; C[rows, cols] (+)= tile[rows, 8 (of which cols)] (row stride 32 bytes): a tile of a last, partial panel
  (func $storeEdge (param $tile i32) (param $c i32) (param $ldc i32) (param $rows i32) (param $cols i32) (param $add i32)
    (local $q i32) (local $v f32)
    (loop $rows
      (local.set $q (i32.const 0))
      (loop $cols
        (local.set $v (f32.load (i32.add (local.get $tile) (i32.shl (local.get $q) (i32.const 2)))))
        (if (local.get $add)
          (then (local.set $v (f32.add (local.get $v) (f32.load (i32.add (local.get $c) (i32.shl (local.get $q) (i32.const 2))))))))
        (f32.store (i32.add (local.get $c) (i32.shl (local.get $q) (i32.const 2))) (local.get $v))
        (br_if $cols (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $cols))))
      (local.set $tile (i32.add (local.get $tile) (i32.const 32)))
      (local.set $c (i32.add (local.get $c) (local.get $ldc)))
      (br_if $rows (local.tee $rows (i32.sub (local.get $rows) (i32.const 1))))))

  ;; C[4 rows, 8 cols] (+)= A[4 rows, kc] · panel[kc][8]; lda, ldc in bytes. Four rows, not six: with eight
  ;; accumulators V8 keeps everything in registers (six rows spilled: 28 against 45–53 GFLOP/s, measured)
  (func $tile4 (param $a0 i32) (param $lda i32) (param $bp i32) (param $c i32) (param $ldc i32) (param $kc i32)
    (param $add i32)
    (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $a1 (i32.add (local.get $a0) (local.get $lda)))
    (local.set $a2 (i32.add (local.get $a1) (local.get $lda)))
    (local.set $a3 (i32.add (local.get $a2) (local.get $lda)))
    (loop $k
      (local.set $b0 (v128.load (local.get $bp)))
      (local.set $b1 (v128.load offset=16 (local.get $bp)))
      (local.set $x (v128.load32_splat (local.get $a0)))
      (local.set $c00 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c00)))
      (local.set $c01 (f32x4.relaxed_madd (local.get $x) (local.get $b1) (local.get $c01)))
      (local.set $x (v128.load32_splat (local.get $a1)))
      (local.set $c10 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c10)))
      (local.set $c11 (f32x4.relaxed_madd (local.get $x) (local.get $b1) (local.get $c11)))
      (local.set $x (v128.load32_splat (local.get $a2)))
      (local.set $c20 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c20)))
      (local.set $c21 (f32x4.relaxed_madd (local.get $x) (local.get $b1) (local.get $c21)))
      (local.set $x (v128.load32_splat (local.get $a3)))
      (local.set $c30 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c30)))
      (local.set $c31 (f32x4.relaxed_madd (local.get $x) (local.get $b1) (local.get $c31)))
      (local.set $a0 (i32.add (local.get $a0) (i32.const 4)))
      (local.set $a1 (i32.add (local.get $a1) (i32.const 4)))
      (local.set $a2 (i32.add (local.get $a2) (i32.const 4)))
      (local.set $a3 (i32.add (local.get $a3) (i32.const 4)))
      (local.set $bp (i32.add (local.get $bp) (i32.const 32)))
      (br_if $k (local.tee $kc (i32.sub (local.get $kc) (i32.const 1)))))
    (if (local.get $add)
      (then
        (local.set $c00 (f32x4.add (local.get $c00) (v128.load (local.get $c))))
        (local.set $c01 (f32x4.add (local.get $c01) (v128.load offset=16 (local.get $c))))))
    (v128.store (local.get $c) (local.get $c00))
    (v128.store offset=16 (local.get $c) (local.get $c01))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (if (local.get $add)
      (then
        (local.set $c10 (f32x4.add (local.get $c10) (v128.load (local.get $c))))
        (local.set $c11 (f32x4.add (local.get $c11) (v128.load offset=16 (local.get $c))))))
    (v128.store (local.get $c) (local.get $c10))
    (v128.store offset=16 (local.get $c) (local.get $c11))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (if (local.get $add)
      (then
        (local.set $c20 (f32x4.add (local.get $c20) (v128.load (local.get $c))))
        (local.set $c21 (f32x4.add (local.get $c21) (v128.load offset=16 (local.get $c))))))
    (v128.store (local.get $c) (local.get $c20))
    (v128.store offset=16 (local.get $c) (local.get $c21))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (if (local.get $add)
      (then
        (local.set $c30 (f32x4.add (local.get $c30) (v128.load (local.get $c))))
        (local.set $c31 (f32x4.add (local.get $c31) (v128.load offset=16 (local.get $c))))))
    (v128.store (local.get $c) (local.get $c30))
    (v128.store offset=16 (local.get $c) (local.get $c31)))

  ;; C[1 row, 8 cols] (+)= A[1 row, kc] · panel[kc][8]
  (func $tile1 (param $a i32) (param $bp i32) (param $c i32) (param $kc i32) (param $add i32)
    (local $x v128) (local $c0 v128) (local $c1 v128)
    (loop $k
      (local.set $x (v128.load32_splat (local.get $a)))
      (local.set $c0 (f32x4.relaxed_madd (local.get $x) (v128.load (local.get $bp)) (local.get $c0)))
      (local.set $c1 (f32x4.relaxed_madd (local.get $x) (v128.load offset=16 (local.get $bp)) (local.get $c1)))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (local.set $bp (i32.add (local.get $bp) (i32.const 32)))
      (br_if $k (local.tee $kc (i32.sub (local.get $kc) (i32.const 1)))))
    (if (local.get $add)
      (then
        (local.set $c0 (f32x4.add (local.get $c0) (v128.load (local.get $c))))
        (local.set $c1 (f32x4.add (local.get $c1) (v128.load offset=16 (local.get $c))))))
    (v128.store (local.get $c) (local.get $c0))
    (v128.store offset=16 (local.get $c) (local.get $c1)))

  (func (export "gemm") (param $a i32) (param $b i32) (param $c i32) (param $m i32) (param $k i32) (param $n i32)
    (param $scratch i32)
    (local $lda i32) (local $ldc i32) (local $m4 i32)
    (local $p0 i32) (local $kc i32) (local $j0 i32) (local $nc i32) (local $add i32)
    (local $i i32) (local $jr i32) (local $aBlock i32) (local $bp i32) (local $cTile i32)
    (local $edge i32) (local $cols i32) (local $full i32) (local $target i32) (local $ldt i32) (local $addT i32)
    ;; the edge tile (4×8 floats) follows the packed block (256×256 floats)
    (local.set $edge (i32.add (local.get $scratch) (i32.const 262144)))
    (local.set $lda (i32.shl (local.get $k) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $n) (i32.const 2)))
    (local.set $m4 (i32.sub (local.get $m) (i32.rem_u (local.get $m) (i32.const 4))))
    (local.set $p0 (i32.const 0))
    (loop $kBlocks
      (local.set $kc (select (i32.const 256) (i32.sub (local.get $k) (local.get $p0))
        (i32.gt_u (i32.sub (local.get $k) (local.get $p0)) (i32.const 256))))
      (local.set $add (i32.ne (local.get $p0) (i32.const 0)))
      (local.set $j0 (i32.const 0))
      (loop $nBlocks
        (local.set $nc (select (i32.const 256) (i32.sub (local.get $n) (local.get $j0))
          (i32.gt_u (i32.sub (local.get $n) (local.get $j0)) (i32.const 256))))
        (call $pack
          (i32.add (local.get $b) (i32.add (i32.mul (local.get $p0) (local.get $ldc)) (i32.shl (local.get $j0) (i32.const 2))))
          (local.get $ldc) (local.get $kc) (local.get $nc) (local.get $scratch))
        (local.set $i (i32.const 0))
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $m)))
            (local.set $aBlock (i32.add (local.get $a)
              (i32.add (i32.mul (local.get $i) (local.get $lda)) (i32.shl (local.get $p0) (i32.const 2)))))
            (local.set $jr (i32.const 0))
            (loop $panels
              (local.set $bp (i32.add (local.get $scratch) (i32.mul (local.get $jr) (i32.shl (local.get $kc) (i32.const 2)))))
              (local.set $cTile (i32.add (local.get $c)
                (i32.add (i32.mul (local.get $i) (local.get $ldc)) (i32.shl (i32.add (local.get $j0) (local.get $jr)) (i32.const 2)))))
              ;; a full panel is computed into C; a partial last one into the edge tile, then its columns into C
              (local.set $cols (i32.sub (local.get $nc) (local.get $jr)))
              (local.set $full (i32.ge_u (local.get $cols) (i32.const 8)))
              (local.set $target (select (local.get $cTile) (local.get $edge) (local.get $full)))
              (local.set $ldt (select (local.get $ldc) (i32.const 32) (local.get $full)))
              (local.set $addT (i32.and (local.get $add) (local.get $full)))
              (if (i32.lt_u (local.get $i) (local.get $m4))
                (then
                  (call $tile4 (local.get $aBlock) (local.get $lda) (local.get $bp) (local.get $target) (local.get $ldt)
                    (local.get $kc) (local.get $addT))
                  (if (i32.eqz (local.get $full))
                    (then (call $storeEdge (local.get $edge) (local.get $cTile) (local.get $ldc) (i32.const 4) (local.get $cols) (local.get $add)))))
                (else
                  (call $tile1 (local.get $aBlock) (local.get $bp) (local.get $target) (local.get $kc) (local.get $addT))
                  (if (i32.eqz (local.get $full))
                    (then (call $storeEdge (local.get $edge) (local.get $cTile) (local.get $ldc) (i32.const 1) (local.get $cols) (local.get $add))))))
              (br_if $panels (i32.lt_u (local.tee $jr (i32.add (local.get $jr) (i32.const 8))) (local.get $nc))))
            (local.set $i (i32.add (local.get $i) (select (i32.const 4) (i32.const 1) (i32.lt_u (local.get $i) (local.get $m4)))))
            (br $rows)))
        (br_if $nBlocks (i32.lt_u (local.tee $j0 (i32.add (local.get $j0) (i32.const 256))) (local.get $n))))
      (br_if $kBlocks (i32.lt_u (local.tee $p0 (i32.add (local.get $p0) (i32.const 256))) (local.get $k))))))
