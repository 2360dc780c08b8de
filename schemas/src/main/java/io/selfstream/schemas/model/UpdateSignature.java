package io.selfstream.schemas.model;

import io.selfstream.schemas.avro.UpdateKind;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/**
 * The canonical signed header of a model update and its Ed25519 signature. The message signed is
 * (big-endian, strings as int32 length + UTF-8):
 *
 * <pre>
 *   "selfstream-model-update-v1"
 *   string model, int64 version, int64 parentVersion, string kind,
 *   int32 chunkCount, int64 payloadSize, string format, 32 bytes SHA-256 of the payload
 * </pre>
 *
 * {@code chunkIndex}, {@code keyId}, {@code createdAtMs} and {@code metrics} are not signed: the
 * first differs per chunk, the key id is only a hint for picking the key, and the last two are
 * informational.
 */
final class UpdateSignature {

  static final String DOMAIN = "selfstream-model-update-v1";

  private UpdateSignature() {}

  static byte[] message(
      String model,
      long version,
      long parentVersion,
      UpdateKind kind,
      int chunkCount,
      long payloadSize,
      String format,
      byte[] sha256) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
      DataOutputStream out = new DataOutputStream(bytes);
      writeString(out, DOMAIN);
      writeString(out, model);
      out.writeLong(version);
      out.writeLong(parentVersion);
      writeString(out, kind.name());
      out.writeInt(chunkCount);
      out.writeLong(payloadSize);
      writeString(out, format);
      out.write(sha256);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] sign(PrivateKey key, byte[] message) {
    try {
      Signature signer = Signature.getInstance(SigningKeys.ALGORITHM);
      signer.initSign(key);
      signer.update(message);
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with an " + SigningKeys.ALGORITHM + " key", e);
    }
  }

  static boolean verify(PublicKey key, byte[] message, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance(SigningKeys.ALGORITHM);
      verifier.initVerify(key);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  static byte[] sha256(byte[] payload) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(payload);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }
}
