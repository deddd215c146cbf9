package org.lilnet.detector;

import org.lilnet.common.blob.BlobStore;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Decides where each crop of a chunk travels (INTERFACES.md): inline in the SliceDetections record while the record
 * stays under ~900 KB, otherwise in the blob store under {@code crops/<taskId, '/' as '_'>/<sliceIndex>-<n>.u8} with
 * the key in the record. Deterministic: a redone task writes the same keys (the store keeps the first copy).
 */
public final class CropPacker {

    /** The record budget of INTERFACES.md; Kafka's default limit is 1 MB. */
    public static final int RECORD_BUDGET = 900_000;
    /** A generous estimate of what a record holds besides crops: header, per slice and per detection fields. */
    static final int HEADER_BYTES = 4096;
    static final int PER_SLICE_BYTES = 160;
    static final int PER_DETECTION_BYTES = 48;

    private final BlobStore blobs;
    private final String taskKey;
    private long budget;

    /** A packer for one task with {@code slices} slices and {@code detections} detections in all. */
    public CropPacker(BlobStore blobs, String taskId, int slices, int detections) {
        this.blobs = blobs;
        this.taskKey = taskId.replace('/', '_').replaceAll("[^A-Za-z0-9._-]", "-");
        this.budget = RECORD_BUDGET - HEADER_BYTES - (long) slices * PER_SLICE_BYTES - (long) detections * PER_DETECTION_BYTES;
    }

    /** Where a crop goes: inline bytes, or a blob key. */
    public record Placement(ByteBuffer inline, String blobKey) {
    }

    public Placement place(GreyImage crop, int sliceIndex, int n) throws IOException {
        byte[] pixels = crop.pixels();
        if (pixels.length + 8 <= budget) {
            budget -= pixels.length + 8;
            return new Placement(ByteBuffer.wrap(pixels), null);
        }
        String key = "crops/" + taskKey + "/" + sliceIndex + "-" + n + ".u8";
        blobs.put(key, pixels);
        return new Placement(null, key);
    }
}
