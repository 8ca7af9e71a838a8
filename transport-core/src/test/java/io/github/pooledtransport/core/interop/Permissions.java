package io.github.pooledtransport.core.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;

/**
 * Servers started as root drop privileges (squid to {@code proxy}, nginx workers to {@code nobody}): their
 * directories under the JUnit temporary directory must be reachable and, for squid, owned by that user.
 */
final class Permissions {

    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();

    private Permissions() {
    }

    static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * Makes {@code dir} and its ancestors inside the temporary directory traversable and readable by
     * everyone ({@code rwxr-xr-x}).
     */
    static void openUp(Path dir) throws IOException {
        Path path = dir.toAbsolutePath().normalize();
        while (path != null && path.startsWith(TMP) && !path.equals(TMP)) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
            path = path.getParent();
        }
    }

    /** Gives {@code path} to {@code user} when running as root; otherwise leaves it alone. */
    static void giveTo(Path path, String user) throws IOException {
        if (!runningAsRoot()) {
            return;
        }
        UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(path, lookup.lookupPrincipalByName(user));
    }
}
