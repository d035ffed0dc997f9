package org.clipwsss.spark;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.batch.BatchJob;
import org.clipwsss.runtime.batch.Shard;

/**
 * Images on a Hadoop file system (hdfs://, s3a:// with hadoop-aws on the class path, ... any URI whose scheme Hadoop
 * knows): the driver lists a folder there, and a task copies its own shard's images into a local folder before the
 * pipeline reads them, keeping their file names, so the outputs are named and made as for local files. Plain paths and
 * file: URIs are read where they are.
 */
final class Staging {
    private Staging() {
    }

    /** Whether {@code path} names a file on another file system than the local one. */
    static boolean remote(String path) {
        int colon = path.indexOf("://");
        return colon > 0 && !path.substring(0, colon).equalsIgnoreCase("file");
    }

    /** The local path of a plain path or a file: URI. */
    static Path local(String path) {
        return path.regionMatches(true, 0, "file:", 0, 5) ? Path.of(URI.create(path)) : Path.of(path);
    }

    /** A folder's images, sorted by name as {@link BatchJob#listImages} sorts local ones: local paths or URIs. */
    static List<String> listFolder(String dir, Configuration hadoop) {
        if (!remote(dir)) {
            return BatchJob.listImages(local(dir)).stream().map(p -> p.toAbsolutePath().toString()).toList();
        }
        try {
            URI uri = URI.create(dir);
            List<String> out = new ArrayList<>();
            for (FileStatus s : FileSystem.get(uri, hadoop).listStatus(new org.apache.hadoop.fs.Path(uri))) {
                String name = s.getPath().getName();
                int dot = name.lastIndexOf('.');
                if (s.isFile() && dot > 0 && BatchJob.EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT))) {
                    out.add(s.getPath().toUri().toString());
                }
            }
            out.sort(java.util.Comparator.comparing(u -> new org.apache.hadoop.fs.Path(URI.create(u)).getName()));
            return out;
        } catch (IOException e) {
            throw new ClipWsssException(dir + ": cannot list the images (" + e.getMessage() + ")", e);
        }
    }

    /** The lines of a list file on any Hadoop file system (or a local path), blank lines and # comments left out. */
    static List<String> readList(String list, Configuration hadoop) {
        try {
            List<String> lines;
            if (remote(list)) {
                URI uri = URI.create(list);
                try (InputStream in = FileSystem.get(uri, hadoop).open(new org.apache.hadoop.fs.Path(uri))) {
                    lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
                }
            } else {
                lines = Files.readAllLines(local(list));
            }
            return lines.stream().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new ClipWsssException(list + ": cannot read the image list (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The images as local paths for {@code shard}: its own remote images copied into {@code dir} (names kept), the other
     * shards' remote images as paths in {@code dir} that are never read (only their names count, for the check of
     * names that would write the same outputs), local ones as they are. An image that cannot be copied is left out of
     * {@code dir}, so that the pipeline reports it as unreadable in errors.csv.
     */
    static List<Path> forShard(List<String> images, Shard shard, Path dir, Configuration hadoop) {
        List<Path> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            String p = images.get(i);
            if (!remote(p)) {
                out.add(local(p));
                continue;
            }
            URI uri = URI.create(p);
            Path target = dir.resolve(new org.apache.hadoop.fs.Path(uri).getName());
            out.add(target);
            if (i % shard.count() == shard.index() && !Files.isRegularFile(target)) {
                try {
                    Files.createDirectories(dir);
                    Path part = dir.resolve("." + target.getFileName() + ".part");
                    try (InputStream in = FileSystem.get(uri, hadoop).open(new org.apache.hadoop.fs.Path(uri))) {
                        Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                    }
                    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    System.err.println("clip-wsss-spark: cannot copy " + p + " to this executor (" + e.getMessage()
                            + "); it is reported as a missing file");
                }
            }
        }
        return out;
    }

    /** Spark's Hadoop settings (spark.hadoop.* keys) as a Hadoop configuration, on the driver or an executor. */
    static Configuration hadoop(org.apache.spark.SparkConf conf) {
        Configuration c = new Configuration();
        for (scala.Tuple2<String, String> kv : conf.getAllWithPrefix("spark.hadoop.")) {
            c.set(kv._1(), kv._2());
        }
        return c;
    }
}
