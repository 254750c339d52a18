package dev.portainer.executor.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.PushResponseItem;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressLinesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<String> lines = new ArrayList<>();
    private final AtomicLong clock = new AtomicLong();
    private final ProgressLines progress = new ProgressLines(lines::add, clock::get);

    private void item(String json) throws Exception {
        progress.accept(JSON.readValue(json.replace('\'', '"'), PushResponseItem.class));
    }

    private void pushing(String id, long current, long total) throws Exception {
        item("{'status':'Pushing','id':'" + id + "','progressDetail':{'current':" + current + ",'total':" + total
                + "},'progress':'[=>   ] " + current + "/" + total + "'}");
    }

    @Test
    void hundredsOfTicksBecomeOneLinePerStateChangeAndOnePerTenPercent() throws Exception {
        item("{'status':'The push refers to repository [127.0.0.1:5000/app]'}");
        item("{'status':'Preparing','id':'big'}");
        item("{'status':'Preparing','id':'small'}");
        long big = 30L << 20;
        long small = 2L << 20;
        pushing("small", 0, small);
        pushing("big", 0, big);
        for (long sent = 0; sent <= small; sent += 16 * 1024) {
            pushing("small", sent, small);
        }
        item("{'status':'Pushed','id':'small'}");
        for (long sent = 0; sent <= big; sent += 16 * 1024) { // 1920 ticks
            pushing("big", sent, big);
        }
        item("{'status':'Pushed','id':'big'}");
        item("{'status':'1.0: digest: sha256:" + "a".repeat(64) + " size: 528'}");

        List<String> aggregates = lines.stream().filter(l -> l.startsWith("Pushing 2 layers: ")).toList();
        assertTrue(aggregates.size() >= 9 && aggregates.size() <= 10, "one line per 10%: " + aggregates);
        assertEquals("Pushing 2 layers: 100% (32.0/32.0 MB)", aggregates.get(aggregates.size() - 1));
        assertTrue(lines.contains("big: Pushed") && lines.contains("small: Pushed"), lines.toString());
        assertEquals(1, lines.stream().filter("big: Pushing"::equals).count(), lines.toString());
        assertTrue(lines.get(lines.size() - 1).contains("digest: sha256:"), lines.toString());
        assertTrue(lines.size() <= 20, "compact: " + lines);
    }

    @Test
    void aSlowTransferStillReportsEveryFewSecondsWhileItMoves() throws Exception {
        long total = 100L << 20;
        pushing("slow", 0, total);
        for (int i = 1; i <= 60; i++) { // 1% a second: a decile every ten seconds, a time report in between
            clock.addAndGet(1_000_000_000L);
            pushing("slow", total * i / 100, total);
        }
        List<String> aggregates = lines.stream().filter(l -> l.startsWith("Pushing 1 layer: ")).toList();
        assertEquals(12, aggregates.size(), aggregates.toString());
        assertEquals("Pushing 1 layer: 5% (5.0/100.0 MB)", aggregates.get(0));
    }

    @Test
    void layerStatesAndAggregatesAreProgressWhatConcernsNoLayerIsOutput() throws Exception {
        List<String> progressLines = new ArrayList<>();
        ProgressLines marked = new ProgressLines(new dev.portainer.executor.build.BuildLog() {
            @Override
            public void line(String line) {
                lines.add(line);
            }

            @Override
            public void progress(String line) {
                progressLines.add(line);
            }
        }, clock::get);
        for (String json : List.of("{'status':'The push refers to repository [127.0.0.1:5000/app]'}",
                "{'status':'Preparing','id':'big'}",
                "{'status':'Pushing','id':'big','progressDetail':{'current':0,'total':1000}}",
                "{'status':'Pushing','id':'big','progressDetail':{'current':500,'total':1000}}",
                "{'status':'Pushed','id':'big'}",
                "{'status':'1.0: digest: sha256:" + "a".repeat(64) + " size: 528'}")) {
            marked.accept(JSON.readValue(json.replace('\'', '"'), PushResponseItem.class));
        }

        assertEquals(List.of("big: Preparing", "big: Pushing", "Pushing 1 layer: 50% (0.5/1.0 KB)", "big: Pushed",
                "Pushing 1 layer: 100% (1.0/1.0 KB)"), progressLines);
        assertEquals(List.of("The push refers to repository [127.0.0.1:5000/app]",
                "1.0: digest: sha256:" + "a".repeat(64) + " size: 528"), lines);
    }

    @Test
    void itemsWithoutALayerArePrintedAsTheyAre() throws Exception {
        item("{'status':'Digest: sha256:" + "b".repeat(64) + "'}");
        item("{'status':'  '}");
        assertEquals(List.of("Digest: sha256:" + "b".repeat(64)), lines);
    }
}
