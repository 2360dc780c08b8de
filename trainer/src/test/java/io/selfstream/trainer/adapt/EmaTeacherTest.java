package io.selfstream.trainer.adapt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.Device;
import io.selfstream.trainer.encoder.Encoder;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.encoder.ParameterSnapshot;
import org.junit.jupiter.api.Test;

class EmaTeacherTest {

  private static final EncoderConfig TINY = EncoderConfig.DEFAULT.withSize(8, 1, 1, 1.0);

  @Test
  void decayRampsLinearlyThenHolds() {
    EmaTeacher ema = new EmaTeacher(0.9, 0.99, 10);
    assertThat(ema.decayAt(0)).isEqualTo(0.9);
    assertThat(ema.decayAt(5)).isCloseTo(0.945, offset(1e-12));
    assertThat(ema.decayAt(10)).isEqualTo(0.99);
    assertThat(ema.decayAt(1_000)).isEqualTo(0.99);
    assertThat(new EmaTeacher(0.5, 0.999, 0).decayAt(0)).isEqualTo(0.999);
  }

  @Test
  void updateMovesTheTeacherTowardsTheStudent() {
    try (Encoder teacher = Encoder.create(TINY, Device.cpu(), 1);
        Encoder student = Encoder.create(TINY, Device.cpu(), 2)) {
      ParameterSnapshot t0 = teacher.exportParameters();
      ParameterSnapshot s0 = student.exportParameters();
      EmaTeacher ema = new EmaTeacher(0.75, 0.99, 100);
      ema.update(teacher, student, 0); // decay 0.75: t = 0.75 t + 0.25 s
      ParameterSnapshot t1 = teacher.exportParameters();
      for (String k : t0.values().keySet()) {
        float[] a = t0.values().get(k), b = s0.values().get(k), c = t1.values().get(k);
        for (int i = 0; i < a.length; i++) {
          assertThat(c[i]).as(k).isCloseTo(0.75f * a[i] + 0.25f * b[i], offset(1e-6f));
        }
      }
      assertThat(student.exportParameters().bitEquals(s0)).as("student untouched").isTrue();
      // decay 1 (ramp end) leaves the teacher as it is
      new EmaTeacher(1, 1, 0).update(teacher, student, 5);
      assertThat(teacher.exportParameters().bitEquals(t1)).isTrue();
    }
  }
}
