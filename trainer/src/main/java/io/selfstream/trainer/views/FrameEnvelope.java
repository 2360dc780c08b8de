package io.selfstream.trainer.views;

import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.Frame;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * What the {@code frames} source hands the views operator: a frame the model can take, or the dead
 * letter for one it cannot (undecodable value, wrong shape), built where the original bytes and
 * offset are still at hand. Exactly one of the two is set.
 *
 * @param frame the decoded frame, or {@code null}
 * @param dead the dead letter, or {@code null}
 */
@org.apache.flink.api.common.typeinfo.TypeInfo(FrameEnvelope.TypeInfoFactory.class)
public record FrameEnvelope(Frame frame, DeadFrame dead) {

  public FrameEnvelope {
    if ((frame == null) == (dead == null)) {
      throw new IllegalArgumentException("exactly one of frame and dead must be set");
    }
  }

  public static FrameEnvelope of(Frame frame) {
    return new FrameEnvelope(Objects.requireNonNull(frame, "frame"), null);
  }

  public static FrameEnvelope dead(DeadFrame dead) {
    return new FrameEnvelope(null, Objects.requireNonNull(dead, "dead"));
  }

  public boolean isDead() {
    return dead != null;
  }

  /** Lets Flink's type extraction find {@link TypeInfo} wherever the type appears. */
  public static final class TypeInfoFactory
      extends org.apache.flink.api.common.typeinfo.TypeInfoFactory<FrameEnvelope> {
    @Override
    public TypeInformation<FrameEnvelope> createTypeInfo(
        java.lang.reflect.Type t, java.util.Map<String, TypeInformation<?>> genericParameters) {
      return new TypeInfo();
    }
  }

  /** Type information with {@link Serializer}. */
  public static final class TypeInfo extends TypeInformation<FrameEnvelope> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isBasicType() {
      return false;
    }

    @Override
    public boolean isTupleType() {
      return false;
    }

    @Override
    public int getArity() {
      return 1;
    }

    @Override
    public int getTotalFields() {
      return 1;
    }

    @Override
    public Class<FrameEnvelope> getTypeClass() {
      return FrameEnvelope.class;
    }

    @Override
    public boolean isKeyType() {
      return false;
    }

    @Override
    public TypeSerializer<FrameEnvelope> createSerializer(SerializerConfig config) {
      return new Serializer();
    }

    @Override
    public String toString() {
      return "FrameEnvelope";
    }

    @Override
    public boolean equals(Object obj) {
      return obj instanceof TypeInfo;
    }

    @Override
    public int hashCode() {
      return TypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
      return obj instanceof TypeInfo;
    }
  }

  /** A tag byte, then the frame or the dead letter through {@link AvroSpecificSerializer}. */
  public static final class Serializer extends TypeSerializer<FrameEnvelope> {
    private static final long serialVersionUID = 1L;

    private final AvroSpecificSerializer<Frame> frames = new AvroSpecificSerializer<>(Frame.class);
    private final AvroSpecificSerializer<DeadFrame> deads =
        new AvroSpecificSerializer<>(DeadFrame.class);

    @Override
    public boolean isImmutableType() {
      return false;
    }

    @Override
    public TypeSerializer<FrameEnvelope> duplicate() {
      return new Serializer();
    }

    @Override
    public FrameEnvelope createInstance() {
      return FrameEnvelope.of(frames.createInstance());
    }

    @Override
    public FrameEnvelope copy(FrameEnvelope from) {
      return from.isDead()
          ? FrameEnvelope.dead(deads.copy(from.dead()))
          : FrameEnvelope.of(frames.copy(from.frame()));
    }

    @Override
    public FrameEnvelope copy(FrameEnvelope from, FrameEnvelope reuse) {
      return copy(from);
    }

    @Override
    public int getLength() {
      return -1;
    }

    @Override
    public void serialize(FrameEnvelope record, DataOutputView target) throws IOException {
      if (record.isDead()) {
        target.writeByte(1);
        deads.serialize(record.dead(), target);
      } else {
        target.writeByte(0);
        frames.serialize(record.frame(), target);
      }
    }

    @Override
    public FrameEnvelope deserialize(DataInputView source) throws IOException {
      byte tag = source.readByte();
      return switch (tag) {
        case 0 -> FrameEnvelope.of(frames.deserialize(source));
        case 1 -> FrameEnvelope.dead(deads.deserialize(source));
        default -> throw new IOException("bad FrameEnvelope tag " + tag);
      };
    }

    @Override
    public FrameEnvelope deserialize(FrameEnvelope reuse, DataInputView source) throws IOException {
      return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
      byte tag = source.readByte();
      target.writeByte(tag);
      if (tag == 0) {
        frames.copy(source, target);
      } else {
        deads.copy(source, target);
      }
    }

    @Override
    public boolean equals(Object obj) {
      return obj instanceof Serializer;
    }

    @Override
    public int hashCode() {
      return Serializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<FrameEnvelope> snapshotConfiguration() {
      return new SerializerSnapshot();
    }
  }

  /** Stateless serializer snapshot. */
  public static final class SerializerSnapshot extends SimpleTypeSerializerSnapshot<FrameEnvelope> {
    public SerializerSnapshot() {
      super(Serializer::new);
    }
  }
}
