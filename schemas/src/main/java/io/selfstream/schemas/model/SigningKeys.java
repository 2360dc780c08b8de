package io.selfstream.schemas.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ed25519 keys that sign model updates (JDK built-in provider). Private keys are PKCS#8, public
 * keys X.509 SubjectPublicKeyInfo, read as DER or PEM; written as PEM.
 *
 * <p>{@link #loadOrCreate(Path)} is the dev default: it loads {@value #PRIVATE_KEY_FILE} and
 * {@value #PUBLIC_KEY_FILE} from a directory, or generates a pair on first run and writes them
 * there, readable by the owner only (the directory too, when it creates it). Production passes
 * explicit key files ({@link #load(Path, Path)}) and gives consumers only the public key.
 */
public final class SigningKeys {

  public static final String ALGORITHM = "Ed25519";
  public static final String PRIVATE_KEY_FILE = "model-signing.key.pem";
  public static final String PUBLIC_KEY_FILE = "model-signing.pub.pem";

  private static final Logger LOG = LoggerFactory.getLogger(SigningKeys.class);
  private static final Set<PosixFilePermission> OWNER_FILE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_DIR =
      PosixFilePermissions.fromString("rwx------");

  private SigningKeys() {}

  /** A fresh Ed25519 key pair. */
  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no " + ALGORITHM + " provider", e);
    }
  }

  /**
   * The key pair stored in {@code dir}, generated and stored on first use. Safe against several
   * processes starting at once (a file lock serializes creation).
   */
  public static KeyPair loadOrCreate(Path dir) {
    Path privateFile = dir.resolve(PRIVATE_KEY_FILE);
    Path publicFile = dir.resolve(PUBLIC_KEY_FILE);
    try {
      if (!Files.isDirectory(dir)) {
        createOwnerOnlyDirectories(dir);
      }
      try (FileChannel lockChannel =
              FileChannel.open(
                  dir.resolve(".model-signing.lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE);
          FileLock ignored = lockChannel.lock()) {
        boolean hasPrivate = Files.exists(privateFile);
        boolean hasPublic = Files.exists(publicFile);
        if (hasPrivate && hasPublic) {
          return load(privateFile, publicFile);
        }
        if (hasPrivate || hasPublic) {
          throw new IllegalStateException(
              "found only "
                  + (hasPrivate ? privateFile : publicFile)
                  + " of the model signing key pair; restore the other file or remove it to"
                  + " generate a new pair (consumers must then trust the new public key)");
        }
        KeyPair pair = generate();
        writeOwnerOnly(publicFile, toPem(pair.getPublic()));
        writeOwnerOnly(privateFile, toPem(pair.getPrivate()));
        LOG.info(
            "generated model signing key {} in {} (dev key; consumers trust {})",
            keyId(pair.getPublic()),
            dir,
            publicFile);
        return pair;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load or create the model signing key in " + dir, e);
    }
  }

  /** Loads a key pair and checks the two halves belong together. */
  public static KeyPair load(Path privateKeyFile, Path publicKeyFile) {
    warnIfReadableByOthers(privateKeyFile);
    PrivateKey privateKey = readPrivateKey(privateKeyFile);
    PublicKey publicKey = readPublicKey(publicKeyFile);
    if (!matches(privateKey, publicKey)) {
      throw new IllegalArgumentException(
          privateKeyFile + " and " + publicKeyFile + " are not the two halves of one key pair");
    }
    return new KeyPair(publicKey, privateKey);
  }

  public static PrivateKey readPrivateKey(Path file) {
    try {
      return privateKey(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read private key " + file, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  public static PublicKey readPublicKey(Path file) {
    try {
      return publicKey(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read public key " + file, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /** An Ed25519 private key from PKCS#8 DER or PEM ({@code -----BEGIN PRIVATE KEY-----}). */
  public static PrivateKey privateKey(byte[] derOrPem) {
    byte[] der = derFromPem(derOrPem, "PRIVATE KEY");
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a PKCS#8 " + ALGORITHM + " private key: " + e, e);
    }
  }

  /** An Ed25519 public key from X.509 DER or PEM ({@code -----BEGIN PUBLIC KEY-----}). */
  public static PublicKey publicKey(byte[] derOrPem) {
    byte[] der = derFromPem(derOrPem, "PUBLIC KEY");
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an X.509 " + ALGORITHM + " public key: " + e, e);
    }
  }

  /** PEM text of a key's standard encoding (PKCS#8 for private, X.509 for public keys). */
  public static String toPem(Key key) {
    String label = key instanceof PrivateKey ? "PRIVATE KEY" : "PUBLIC KEY";
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded());
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
  }

  /** Short id of a public key: hex of the first 8 bytes of the SHA-256 of its X.509 encoding. */
  public static String keyId(PublicKey key) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
    try {
      byte[] probe = "selfstream key pair check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(ALGORITHM);
      signer.initSign(privateKey);
      signer.update(probe);
      byte[] sig = signer.sign();
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static byte[] derFromPem(byte[] bytes, String label) {
    String text = new String(bytes, StandardCharsets.US_ASCII);
    int begin = text.indexOf("-----BEGIN ");
    if (begin < 0) {
      return bytes; // DER
    }
    String header = "-----BEGIN " + label + "-----";
    String footer = "-----END " + label + "-----";
    int start = text.indexOf(header);
    int end = text.indexOf(footer);
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("PEM without a " + header + " ... " + footer + " block");
    }
    String body = text.substring(start + header.length(), end).replaceAll("\\s", "");
    try {
      return Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("PEM body is not base64", e);
    }
  }

  private static boolean posix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static void createOwnerOnlyDirectories(Path dir) throws IOException {
    if (posix(dir)) {
      Path parent = dir.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
      } catch (FileAlreadyExistsException raced) {
        // another process created it
      }
    } else {
      Files.createDirectories(dir);
    }
  }

  /** Writes via a temp file created owner-only, then an atomic rename: no window of exposure. */
  private static void writeOwnerOnly(Path file, String content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    FileAttribute<?>[] attrs =
        posix(file)
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_FILE)}
            : new FileAttribute<?>[0];
    Path tmp = Files.createTempFile(dir, ".key-", ".tmp", attrs);
    try {
      Files.writeString(tmp, content, StandardCharsets.US_ASCII);
      if (!posix(file)) {
        var f = tmp.toFile();
        f.setReadable(false, false);
        f.setReadable(true, true);
        f.setWritable(false, false);
        f.setWritable(true, true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void warnIfReadableByOthers(Path privateKeyFile) {
    try {
      if (posix(privateKeyFile)) {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(privateKeyFile);
        if (perms.contains(PosixFilePermission.GROUP_READ)
            || perms.contains(PosixFilePermission.OTHERS_READ)) {
          LOG.warn(
              "private model signing key {} is readable by others ({}); chmod 600 it",
              privateKeyFile,
              PosixFilePermissions.toString(perms));
        }
      }
    } catch (IOException | UnsupportedOperationException e) {
      // the read that follows reports a missing file
    }
  }
}
