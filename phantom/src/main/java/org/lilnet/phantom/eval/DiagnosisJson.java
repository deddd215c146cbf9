package org.lilnet.phantom.eval;

import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.lilnet.events.Diagnosis;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Diagnoses in a file: one {@code Diagnosis} per line in Avro's JSON encoding (unions as {"type": value}), the
 * format {@code lilnet eval --diagnoses} reads and {@code --save} writes.
 */
public final class DiagnosisJson {

    private DiagnosisJson() {
    }

    public static List<Diagnosis> read(Path file) throws IOException {
        SpecificDatumReader<Diagnosis> reader = new SpecificDatumReader<>(Diagnosis.class);
        List<Diagnosis> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(reader.read(null, DecoderFactory.get().jsonDecoder(Diagnosis.getClassSchema(), line)));
                } catch (IOException | RuntimeException e) {
                    throw new IOException(file + " line " + number + ": not a Diagnosis in Avro JSON (" + e.getMessage() + ")", e);
                }
            }
        }
        return out;
    }

    public static String toJson(Diagnosis d) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        JsonEncoder encoder = EncoderFactory.get().jsonEncoder(Diagnosis.getClassSchema(), bytes);
        new SpecificDatumWriter<>(Diagnosis.class).write(d, encoder);
        encoder.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    public static void write(List<Diagnosis> diagnoses, Writer out) throws IOException {
        for (Diagnosis d : diagnoses) {
            out.write(toJson(d));
            out.write('\n');
        }
    }
}
