package org.lilnet.aggregator.kafka;

import org.junit.jupiter.api.Test;
import org.lilnet.aggregator.TestEvents;
import org.lilnet.aggregator.cases.ArrivedChunk;
import org.lilnet.aggregator.cases.CaseFusion;
import org.lilnet.aggregator.cases.CaseOutputs;
import org.lilnet.aggregator.cases.CaseState;
import org.lilnet.aggregator.cases.ChunkArchive;
import org.lilnet.aggregator.cases.SourceRef;
import org.lilnet.events.Diagnosis;
import org.lilnet.events.Phase;
import org.lilnet.events.SeriesInfo;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lilnet.aggregator.TestEvents.crop;
import static org.lilnet.aggregator.TestEvents.f;

/** The stores keep the case state as JSON: what is read back is what was written, to the last bit of every logit. */
class JsonStateSerdeTest {

    private static final SourceRef SOURCE = new SourceRef("lilnet.predictions.v1", 2, 17);

    /** Records what it is asked, nothing else. */
    private static final class Memory implements ChunkArchive, CaseOutputs {
        final List<ArrivedChunk> chunks = new ArrayList<>();
        final List<Diagnosis> diagnoses = new ArrayList<>();

        @Override
        public boolean putIfAbsent(ArrivedChunk chunk) {
            put(chunk);
            return true;
        }

        @Override
        public void put(ArrivedChunk chunk) {
            chunks.add(chunk);
        }

        @Override
        public List<ArrivedChunk> revision(String caseId, int revision) {
            return chunks.stream().filter(c -> c.revision() == revision).toList();
        }

        @Override
        public void delete(ArrivedChunk chunk) {
            chunks.remove(chunk);
        }

        @Override
        public void deleteRevision(String caseId, int revision) {
            chunks.removeIf(c -> c.revision() == revision);
        }

        @Override
        public void diagnosis(Diagnosis diagnosis) {
            diagnoses.add(diagnosis);
        }

        @Override
        public void deadLetter(String caseId, SourceRef source, String reasonCode, String detail) {
        }

        @Override
        public void input(InputOutcome outcome) {
        }
    }

    @Test
    void caseStateAndChunksRoundTrip() {
        SeriesInfo ap = TestEvents.series("9.3", Phase.AP, 32, 2);
        SeriesInfo pvp = TestEvents.series("9.4", Phase.PVP, 32, 2);
        Memory memory = new Memory();
        CaseFusion fusion = new CaseFusion(AggregatorTopologyTest.SETTINGS, memory, memory);
        CaseState state = new CaseState("9");
        fusion.onStudy(state, TestEvents.study("9", 1, ap, pvp), 1_000);
        ArrivedChunk chunk = ArrivedChunk.from(TestEvents.chunk("9", 1, ap, 1,
                crop("9.3", 20, 1.5f, 2.25f, 30.125f, 40, f(0.1f, (float) Math.PI), f(1e-7f, -3, 2), f(0, 0, Float.MIN_VALUE))), SOURCE, 1_234);
        fusion.onChunk(state, chunk, 2_000);
        fusion.onChunk(state, ArrivedChunk.from(TestEvents.chunk("9", 1, pvp, 0), SOURCE, 1_300), 2_100);

        JsonStateSerde<CaseState> states = new JsonStateSerde<>(CaseState.class);
        byte[] bytes = states.serializer().serialize("t", state);
        CaseState read = states.deserializer().deserialize("t", bytes);
        assertThat(states.serializer().serialize("t", read)).isEqualTo(bytes);
        assertThat(read.progress().pooled().meanLogits(org.lilnet.aggregator.fusion.Classifier.BM))
                .containsExactly(state.progress().pooled().meanLogits(org.lilnet.aggregator.fusion.Classifier.BM));
        assertThat(read.study()).isEqualTo(state.study());
        assertThat(read.stage()).isEqualTo(state.stage());
        assertThat(read.nextDueAt(3_000, AggregatorTopologyTest.SETTINGS)).isEqualTo(state.nextDueAt(3_000, AggregatorTopologyTest.SETTINGS));

        JsonStateSerde<ArrivedChunk> chunks = new JsonStateSerde<>(ArrivedChunk.class);
        ArrivedChunk back = chunks.deserializer().deserialize("t", chunks.serializer().serialize("t", chunk));
        assertThat(back.crops().get(0).bmLogits()).containsExactly(0.1f, (float) Math.PI);
        assertThat(back.crops().get(0).bLogits()[2]).isEqualTo(Float.MIN_VALUE);
        assertThat(back.crops().get(0).box()).isEqualTo(chunk.crops().get(0).box());
        assertThat(back.source()).isEqualTo(SOURCE);
        assertThat(back.models()).isEqualTo(chunk.models());
        assertThat(back.timingsMillis()).isEqualTo(chunk.timingsMillis());
        assertThat(back.phase()).isEqualTo(Phase.AP);
    }
}
