package io.selfstream.schemas.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeysTest {

  @TempDir Path tmp;

  @Test
  void devKeyIsGeneratedOnceWithOwnerOnlyPermissionsThenReloaded() throws Exception {
    Path dir = tmp.resolve("data/keys");

    KeyPair first = SigningKeys.loadOrCreate(dir);
    KeyPair second = SigningKeys.loadOrCreate(dir);

    assertThat(second.getPublic().getEncoded()).isEqualTo(first.getPublic().getEncoded());
    assertThat(second.getPrivate().getEncoded()).isEqualTo(first.getPrivate().getEncoded());
    Path priv = dir.resolve(SigningKeys.PRIVATE_KEY_FILE);
    assertThat(Files.readString(priv)).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.readString(dir.resolve(SigningKeys.PUBLIC_KEY_FILE)))
        .startsWith("-----BEGIN PUBLIC KEY-----");
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(priv)))
          .isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
          .isEqualTo("rwx------");
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")))
          .isEmpty();
    }
  }

  @Test
  void readsDerAndPem() throws Exception {
    KeyPair pair = SigningKeys.generate();
    Path derPriv = Files.write(tmp.resolve("k.der"), pair.getPrivate().getEncoded());
    Path derPub = Files.write(tmp.resolve("k.pub.der"), pair.getPublic().getEncoded());
    Path pemPriv = Files.writeString(tmp.resolve("k.pem"), SigningKeys.toPem(pair.getPrivate()));
    Path pemPub = Files.writeString(tmp.resolve("k.pub.pem"), SigningKeys.toPem(pair.getPublic()));

    KeyPair fromDer = SigningKeys.load(derPriv, derPub);
    KeyPair fromPem = SigningKeys.load(pemPriv, pemPub);

    assertThat(fromDer.getPublic().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
    assertThat(fromPem.getPrivate().getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
    assertThat(SigningKeys.keyId(fromPem.getPublic()))
        .isEqualTo(SigningKeys.keyId(pair.getPublic()))
        .hasSize(16);
  }

  @Test
  void mismatchedHalvesAndHalfPairsAreRefused() throws Exception {
    KeyPair a = SigningKeys.generate();
    KeyPair b = SigningKeys.generate();
    Path priv = Files.writeString(tmp.resolve("a.pem"), SigningKeys.toPem(a.getPrivate()));
    Path pub = Files.writeString(tmp.resolve("b.pub.pem"), SigningKeys.toPem(b.getPublic()));
    assertThatThrownBy(() -> SigningKeys.load(priv, pub))
        .hasMessageContaining("not the two halves");

    Path half = tmp.resolve("half");
    Files.createDirectories(half);
    Files.writeString(half.resolve(SigningKeys.PUBLIC_KEY_FILE), SigningKeys.toPem(a.getPublic()));
    assertThatThrownBy(() -> SigningKeys.loadOrCreate(half)).hasMessageContaining("found only");
  }

  @Test
  void garbageIsRefusedWithTheFileNamed() throws Exception {
    Path junk = Files.writeString(tmp.resolve("junk.pem"), "-----BEGIN PUBLIC KEY-----\n!!\n");
    assertThatThrownBy(() -> SigningKeys.readPublicKey(junk)).hasMessageContaining("junk.pem");
    Path rsa = Files.write(tmp.resolve("x.der"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> SigningKeys.readPrivateKey(rsa))
        .hasMessageContaining("x.der")
        .hasMessageContaining("Ed25519");
  }
}
