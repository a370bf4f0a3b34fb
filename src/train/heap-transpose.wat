;; Transposes a row-major float32 matrix [rows, cols] at byte offset src into [cols, rows] at dst, both in the
;; imported memory (tfjs's wasm heap). 4×4 blocks go through registers as four SIMD loads, eight shuffles and four
;; stores; the columns are taken in strips of 64 so that the 64 destination rows a strip writes stay in L1. The
;; rows and columns past the last full block of 4 are copied one float at a time.
(module
  (import "env" "memory" (memory 1))
  (func (export "transpose") (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $rows4 i32) (local $cols4 i32) (local $strip i32) (local $stripEnd i32)
    (local $i i32) (local $j i32) (local $rowBytes i32) (local $colBytes i32)
    (local $s i32) (local $d i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $a v128) (local $b v128) (local $c v128) (local $e v128)
    (local.set $rows4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $cols4 (i32.and (local.get $cols) (i32.const -4)))
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2))) ;; source row stride
    (local.set $colBytes (i32.shl (local.get $rows) (i32.const 2))) ;; destination row stride
    ;; full 4×4 blocks, in strips of 64 columns
    (local.set $strip (i32.const 0))
    (block $stripsDone
      (loop $strips
        (br_if $stripsDone (i32.ge_u (local.get $strip) (local.get $cols4)))
        (local.set $stripEnd (select (i32.add (local.get $strip) (i32.const 64)) (local.get $cols4)
          (i32.lt_u (i32.add (local.get $strip) (i32.const 64)) (local.get $cols4))))
        (local.set $i (i32.const 0))
        (block $rowsDone
          (loop $rowBlocks
            (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $rows4)))
            (local.set $j (local.get $strip))
            (block $colsDone
              (loop $colBlocks
                (br_if $colsDone (i32.ge_u (local.get $j) (local.get $stripEnd)))
                ;; s = src + (i·cols + j)·4 ; d = dst + (j·rows + i)·4
                (local.set $s (i32.add (local.get $src)
                  (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2))))
                (local.set $d (i32.add (local.get $dst)
                  (i32.shl (i32.add (i32.mul (local.get $j) (local.get $rows)) (local.get $i)) (i32.const 2))))
                (local.set $r0 (v128.load (local.get $s)))
                (local.set $r1 (v128.load (i32.add (local.get $s) (local.get $rowBytes))))
                (local.set $r2 (v128.load (i32.add (local.get $s) (i32.shl (local.get $rowBytes) (i32.const 1)))))
                (local.set $r3 (v128.load (i32.add (local.get $s) (i32.mul (local.get $rowBytes) (i32.const 3)))))
                ;; a = r0₀ r1₀ r0₁ r1₁, b = r0₂ r1₂ r0₃ r1₃, c and e the same of r2, r3
                (local.set $a (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
                (local.set $b (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
                (local.set $c (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
                (local.set $e (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
                ;; column k of the block = row k of the result
                (v128.store (local.get $d)
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a) (local.get $c)))
                (v128.store (i32.add (local.get $d) (local.get $colBytes))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a) (local.get $c)))
                (v128.store (i32.add (local.get $d) (i32.shl (local.get $colBytes) (i32.const 1)))
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $b) (local.get $e)))
                (v128.store (i32.add (local.get $d) (i32.mul (local.get $colBytes) (i32.const 3)))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $b) (local.get $e)))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $colBlocks)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $rowBlocks)))
        (local.set $strip (local.get $stripEnd))
        (br $strips)))
    ;; the last rows % 4 rows, every column
    (local.set $i (local.get $rows4))
    (block $tailRowsDone
      (loop $tailRows
        (br_if $tailRowsDone (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $j (i32.const 0))
        (block $tailRowDone
          (loop $tailRow
            (br_if $tailRowDone (i32.ge_u (local.get $j) (local.get $cols)))
            (call $copy (local.get $src) (local.get $dst) (local.get $rows) (local.get $cols) (local.get $i) (local.get $j))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $tailRow)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tailRows)))
    ;; the last cols % 4 columns of the full blocks' rows
    (local.set $i (i32.const 0))
    (block $tailColsDone
      (loop $tailCols
        (br_if $tailColsDone (i32.ge_u (local.get $i) (local.get $rows4)))
        (local.set $j (local.get $cols4))
        (block $tailColDone
          (loop $tailCol
            (br_if $tailColDone (i32.ge_u (local.get $j) (local.get $cols)))
            (call $copy (local.get $src) (local.get $dst) (local.get $rows) (local.get $cols) (local.get $i) (local.get $j))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $tailCol)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tailCols))))
  ;; dst[j, i] = src[i, j]
  (func $copy (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32) (param $i i32) (param $j i32)
    (f32.store
      (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $rows)) (local.get $i)) (i32.const 2)))
      (f32.load
        (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2))))))
)
