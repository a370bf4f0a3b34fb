// One piece of a training step: forward in training mode on some rows, BCE on logits, gradients of every trainable
// weight. Shared by the step (main thread) and the gradient workers (data parallel), so a piece gives the same numbers
// wherever it runs: the same backend code, the same dropout seed (stepRandomness), the same inputs.
import * as tf from '@tensorflow/tfjs';
import { stepRandomness } from './layers.js';
import { bceWithLogits } from './loss.js';

export interface PieceResult {
  loss: number;
  /** sigmoid outputs, rows × labels */
  probs: Float32Array;
  /** one gradient per trainable weight, in weight order (backend tensors; the caller disposes them) */
  grads: tf.Tensor[];
}

/** `randomStep` and `firstRow` (the piece's first row in its batch) seed the dropout masks of this piece's rows. */
export function pieceGradient(
  model: tf.LayersModel,
  vars: tf.Variable[],
  x: tf.Tensor,
  y: tf.Tensor,
  posWeight: readonly number[] | undefined,
  randomStep: number,
  firstRow = 0,
): PieceResult {
  stepRandomness.step = randomStep;
  stepRandomness.row = firstRow;
  let probsT: tf.Tensor | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.apply(x, { training: true }) as tf.Tensor;
    probsT = tf.keep(tf.sigmoid(logits));
    return bceWithLogits(logits, y, posWeight);
  }, vars);
  const ordered = vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
  const loss = value.dataSync()[0]!;
  const probs = (probsT as tf.Tensor | null)!.dataSync() as Float32Array;
  tf.dispose([value, (probsT as tf.Tensor | null)!]);
  return { loss, probs: probs.slice(), grads: ordered };
}
