package org.clipwsss.spark;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/** The local disk under another scheme (otherfs:///...), standing in for HDFS or S3A in the tests. */
public class OtherFs extends RawLocalFileSystem {
    @Override
    public URI getUri() {
        return URI.create("otherfs:///");
    }

    @Override
    public String getScheme() {
        return "otherfs";
    }
}
