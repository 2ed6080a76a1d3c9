package org.plstm.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.plstm.Check;

/**
 * Writes files atomically: the content goes to a temporary file in the target's directory, is flushed to the
 * device, and is then renamed over the target with {@link StandardCopyOption#ATOMIC_MOVE}, and the directory is
 * flushed so that the rename survives a power failure. A reader therefore sees either the old file or the complete
 * new one, never a partial write; a crash can at worst leave a hidden {@code .<name>.<random>.tmp} file behind. A
 * symbolic link as the target is replaced by the new file (the file it pointed to is left as it was). Used for
 * checkpoints, reports, metrics and charts.
 */
public final class AtomicFiles {
    /**
     * A failpoint for crash-consistency tests: with {@code -Dplstm.failpoint.haltAtFileStep=N}, the JVM halts
     * (as {@code kill -9} would: no shutdown hooks, no cleanup) at the {@code N}-th step of this process's atomic
     * writes, counting three steps per file: temporary file created (empty), content written and flushed to the
     * device, renamed over the target. Unset (the default) costs one comparison per step.
     */
    public static final String HALT_PROPERTY = "plstm.failpoint.haltAtFileStep";

    /** The exit status of a halt at the failpoint (that of a process killed by SIGKILL). */
    public static final int HALT_STATUS = 137;

    private static final long HALT_AT = Long.getLong(HALT_PROPERTY, 0L);
    private static final java.util.concurrent.atomic.AtomicLong STEPS = new java.util.concurrent.atomic.AtomicLong();

    private AtomicFiles() {
    }

    /** Counts a step of an atomic write and halts the JVM if it is the failpoint's. */
    private static void step() {
        if (HALT_AT > 0 && STEPS.incrementAndGet() == HALT_AT) {
            Runtime.getRuntime().halt(HALT_STATUS);
        }
    }

    /** Writes the content of a file to a stream. */
    @FunctionalInterface
    public interface Writer {
        /**
         * @param out the stream to write to (buffered; do not close it)
         * @throws IOException if writing fails
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Removes the temporary files that a write killed before its rename left in {@code dir}: the regular files named
     * {@code .<name><digits>.tmp} for each of {@code names} (the pattern {@link #write} uses), and nothing else.
     *
     * @param dir   the directory (nothing happens if it does not exist)
     * @param names the target file names written into it, e.g. {@code checkpoint.safetensors}
     * @return the files removed
     * @throws IOException if the directory cannot be listed or a file cannot be removed
     * @throws IllegalArgumentException if an argument is null
     */
    public static java.util.List<Path> removeLeftovers(Path dir, java.util.Collection<String> names)
            throws IOException {
        Check.notNull("dir", dir);
        Check.notNull("names", names);
        java.util.List<Path> removed = new java.util.ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String n = f.getFileName().toString();
                for (String name : names) {
                    String prefix = "." + name;
                    if (n.length() > prefix.length() + 4 && n.startsWith(prefix) && n.endsWith(".tmp")
                            && n.substring(prefix.length(), n.length() - 4).chars().allMatch(Character::isDigit)
                            && Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.deleteIfExists(f);
                        removed.add(f);
                        break;
                    }
                }
            }
        }
        return removed;
    }

    /**
     * Writes {@code target} atomically, creating its parent directories if needed.
     *
     * @param target the file to create or replace
     * @param writer produces the content
     * @throws IOException if writing, flushing or the atomic rename fails (the target is then unchanged and the
     *     temporary file removed); always a {@link FileSystemException} naming a file (e.g. the target
     *     and "No space left on device"); {@link java.nio.file.AtomicMoveNotSupportedException} if the file system
     *     cannot rename atomically
     * @throws IllegalArgumentException if an argument is null or {@code target} is the root directory
     */
    public static void write(Path target, Writer writer) throws IOException {
        Check.notNull("target", target);
        Check.notNull("writer", writer);
        Path absolute = target.toAbsolutePath().normalize();
        Path dir = absolute.getParent();
        if (dir == null) {
            throw new IllegalArgumentException("target: expected a path to a file, got the root directory "
                    + absolute);
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + absolute.getFileName(), ".tmp");
        boolean done = false;
        try {
            step();
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                writer.writeTo(out);
                out.flush();
                ch.force(true);
            }
            // after writing: a read-only target's mode would stop the owner writing the temporary file
            finalPermissions(tmp, absolute);
            step();
            Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
            syncDirectory(dir);
            step();
        } catch (FileSystemException e) {
            if (!tmp.toString().equals(e.getFile())) {
                throw e; // names its file already
            }
            // the hidden temporary file means nothing to the caller: name the target
            throw naming(absolute, e.getClass().getSimpleName() + (e.getReason() == null ? "" : ": " + e.getReason())
                    + " writing its temporary file " + tmp.getFileName(), e);
        } catch (IOException e) {
            // e.g. "No space left on device" from a write, which names no file
            throw naming(absolute, e.getMessage(), e);
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Makes the rename durable: flushes the directory's entry to the device (as a file's {@code force} does not), so
     * a power failure right after a write keeps the new file, not the old one. Where a directory cannot be opened
     * (Windows) the rename stands as it is.
     */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // not supported on this platform or file system; the rename is done either way
        }
    }

    /** A failure naming {@code target}, with {@code reason} and "(nothing was replaced)", caused by {@code e}. */
    private static FileSystemException naming(Path target, String reason, IOException e) {
        FileSystemException named = new FileSystemException(target.toString(), null,
                reason + " (nothing was replaced)");
        named.initCause(e);
        return named;
    }

    /**
     * Temporary files are created owner-only; the written result replaces {@code target}, so it takes the
     * permissions {@code target} has (a private {@code rw-------} checkpoint stays private, a read-only one stays
     * read-only), or is an ordinary {@code rw-r--r--} file where {@code target} is new, wherever the file system has
     * POSIX permissions. Called after the content is written and flushed (renaming needs no permission on the file).
     */
    private static void finalPermissions(Path tmp, Path target) {
        try {
            Files.setPosixFilePermissions(tmp, Files.exists(target) ? Files.getPosixFilePermissions(target)
                    : PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException | IOException e) {
            // not POSIX, or not allowed: keep the default
        }
    }

    /**
     * Writes bytes atomically (see {@link #write(Path, Writer)}).
     *
     * @param target the file to create or replace
     * @param bytes  the content
     * @throws IOException as {@link #write(Path, Writer)}
     */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        Check.notNull("bytes", bytes);
        write(target, out -> out.write(bytes));
    }

    /**
     * Writes a string as UTF-8 atomically (see {@link #write(Path, Writer)}).
     *
     * @param target the file to create or replace
     * @param text   the content
     * @throws IOException as {@link #write(Path, Writer)}
     */
    public static void writeString(Path target, String text) throws IOException {
        Check.notNull("text", text);
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }
}
