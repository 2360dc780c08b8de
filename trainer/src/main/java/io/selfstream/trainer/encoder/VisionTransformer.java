package io.selfstream.trainer.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.TruncatedNormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * A compact Vision Transformer with a SimMIM reconstruction head.
 *
 * <p>Inputs: {@code images (N, C, H, W)} float32, already normalised (see {@link ImageTensors}),
 * and optionally {@code mask (N, L)} float32 with 1 = patch masked (row-major over the patch grid).
 * Masked patch embeddings are replaced by a learnable mask token before the position embeddings are
 * added (SimMIM); without a mask input (or with an all-zero mask) the tokens are untouched.
 *
 * <p>Outputs, in this order: {@link #LOGITS} {@code (N, numClasses)}, {@link #FEATURES} the
 * normalised class token {@code (N, dim)}, {@link #PATCH_TOKENS} normalised patch tokens {@code (N,
 * L, dim)}, {@link #RECONSTRUCTION} predicted normalised pixels per patch {@code (N, L,
 * patch*patch*C)} (pixel order within a patch: row, column, channel; see {@link
 * EncoderLosses#patchify}).
 *
 * <p>Every intermediate result is created in the manager of the input images, never in the
 * parameters' manager, so a per-step sub-manager owning the inputs frees everything.
 */
public final class VisionTransformer extends AbstractBlock {

  private static final byte VERSION = 1;

  public static final int LOGITS = 0;
  public static final int FEATURES = 1;
  public static final int PATCH_TOKENS = 2;
  public static final int RECONSTRUCTION = 3;

  /** Names of the direct parameters (DJL prefixes child parameters with the child name). */
  public static final String CLS_TOKEN = "clsToken";

  public static final String POS_EMBED = "posEmbed";
  public static final String MASK_TOKEN = "maskToken";

  private final EncoderConfig config;
  private final PatchEmbedding patchEmbed;
  private final Parameter clsToken;
  private final Parameter posEmbed;
  private final Parameter maskToken;
  private final List<TransformerBlock> blocks = new ArrayList<>();
  private final LayerNorm norm;
  private final Linear head;
  private final Linear decoder;

  public VisionTransformer(EncoderConfig config) {
    super(VERSION);
    this.config = config;
    int d = config.dim();
    float drop = (float) config.dropout();
    Initializer tokenInit = new TruncatedNormalInitializer(0.02f);
    clsToken =
        addParameter(
            Parameter.builder()
                .setName(CLS_TOKEN)
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(1, 1, d))
                .optInitializer(tokenInit)
                .build());
    posEmbed =
        addParameter(
            Parameter.builder()
                .setName(POS_EMBED)
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(1, config.numPatches() + 1, d))
                .optInitializer(tokenInit)
                .build());
    maskToken =
        addParameter(
            Parameter.builder()
                .setName(MASK_TOKEN)
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(1, 1, d))
                .optInitializer(tokenInit)
                .build());
    patchEmbed = addChildBlock("patchEmbed", new PatchEmbedding(config.patchSize(), d));
    for (int i = 0; i < config.depth(); i++) {
      blocks.add(
          addChildBlock(
              "block" + i, new TransformerBlock(d, config.heads(), config.mlpHidden(), drop)));
    }
    norm = addChildBlock("norm", TransformerBlock.tokenNorm());
    head = addChildBlock("head", Linear.builder().setUnits(config.numClasses()).build());
    decoder = addChildBlock("decoder", Linear.builder().setUnits(config.patchPixels()).build());

    // ViT/MAE initialisation: linear weights truncated normal 0.02, the patch projection like a
    // linear layer (Xavier uniform); biases zero, norms gamma 1 / beta 0 (DJL defaults).
    setInitializer(new TruncatedNormalInitializer(0.02f), Parameter.Type.WEIGHT);
    patchEmbed.setInitializer(
        new XavierInitializer(
            XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.AVG, 3f),
        Parameter.Type.WEIGHT);
  }

  public EncoderConfig config() {
    return config;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray images = inputs.get(0);
    NDArray mask = inputs.size() > 1 ? inputs.get(1) : null;
    NDManager m = images.getManager();
    long n = images.getShape().get(0);
    int d = config.dim();
    var device = images.getDevice();

    NDArray x = patchEmbed.forward(ps, new NDList(images), training, params).head(); // (N, L, D)
    if (mask != null) {
      NDArray m3 = mask.toType(DataType.FLOAT32, false).reshape(n, config.numPatches(), 1);
      NDArray token = ps.getValue(maskToken, device, training);
      // x * (1 - m) + m * token: exact replacement (x * 0 + token == token bit for bit); the
      // activation is always the left operand so results stay in the step manager
      x = x.mul(m3.neg().add(1f)).add(m3.mul(token));
    }
    NDArray cls = m.ones(new Shape(n, 1, 1)).mul(ps.getValue(clsToken, device, training));
    x = NDArrays.concat(new NDList(cls, x), 1).add(ps.getValue(posEmbed, device, training));
    if (training && config.dropout() > 0) {
      x = Dropout.dropout(x, (float) config.dropout(), true).head();
    }
    for (TransformerBlock b : blocks) {
      x = b.forward(ps, new NDList(x), training, params).head();
    }
    x = norm.forward(ps, new NDList(x), training, params).head();
    NDArray features = x.get(":, 0, :");
    NDArray patches = x.get(":, 1:, :");
    NDArray logits = head.forward(ps, new NDList(features), training, params).head();
    NDArray recon = decoder.forward(ps, new NDList(patches), training, params).head();
    return new NDList(logits, features, patches, recon);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long n = inputShapes[0].get(0);
    long l = config.numPatches();
    return new Shape[] {
      new Shape(n, config.numClasses()),
      new Shape(n, config.dim()),
      new Shape(n, l, config.dim()),
      new Shape(n, l, config.patchPixels())
    };
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    long n = inputShapes[0].get(0);
    patchEmbed.initialize(manager, dataType, inputShapes[0]);
    Shape tokens = new Shape(n, config.numPatches() + 1, config.dim());
    for (TransformerBlock b : blocks) {
      b.initialize(manager, dataType, tokens);
    }
    norm.initialize(manager, dataType, tokens);
    head.initialize(manager, dataType, new Shape(n, config.dim()));
    decoder.initialize(manager, dataType, new Shape(n, config.numPatches(), config.dim()));
  }
}
