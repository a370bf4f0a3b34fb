// What is known of the five models without building one (so without loading tfjs): their names and their trainable
// parameter counts at 224×224, for the stage's memory plan (step-plan.ts) and the checks against MODELS.md.
export const MODEL_NAMES = ['AlexNet2D', 'SENet', 'ConvNeXtV2_2D', 'VisionLSTM', 'ViT'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** Trainable parameters at 224×224 with in_chans 1, num_labels 4, counted with PyTorch 1.13 (MODELS.md). */
export const REFERENCE_PARAMETER_COUNTS: Record<ModelName, number> = {
  AlexNet2D: 57_004_740,
  SENet: 26_040_948,
  ConvNeXtV2_2D: 477_220,
  VisionLSTM: 10_330_884,
  ViT: 85_408_516,
};
