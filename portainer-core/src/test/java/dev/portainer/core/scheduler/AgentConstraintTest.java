package dev.portainer.core.scheduler;

import dev.portainer.core.config.Setting;
import dev.portainer.core.config.InvalidSettingException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.mesos.v1.Protos.Attribute;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Value;
import org.junit.jupiter.api.Test;

class AgentConstraintTest {
    private static final Offer AGENT = FakeMesosMaster.offer("O1", "S0", 1, 1024).toBuilder()
            .addAttributes(Attribute.newBuilder().setName("rack").setType(Value.Type.TEXT)
                    .setText(Value.Text.newBuilder().setValue("us-east-1a")))
            .addAttributes(Attribute.newBuilder().setName("gen").setType(Value.Type.SCALAR)
                    .setScalar(Value.Scalar.newBuilder().setValue(3)))
            .addAttributes(Attribute.newBuilder().setName("zones").setType(Value.Type.SET)
                    .setSet(Value.Set.newBuilder().addItem("a").addItem("b")))
            .addAttributes(Attribute.newBuilder().setName("level").setType(Value.Type.RANGES)
                    .setRanges(Value.Ranges.newBuilder().addRange(Value.Range.newBuilder().setBegin(10).setEnd(20))))
            .build();

    @Test
    void matchesTextScalarSetAndRangeAttributes() {
        assertTrue(AgentConstraint.parse("rack:us-east-1a").test(AGENT));
        assertFalse(AgentConstraint.parse("rack:us-east-1b").test(AGENT));
        assertTrue(AgentConstraint.parse("gen:3.0").test(AGENT));
        assertFalse(AgentConstraint.parse("gen:4").test(AGENT));
        assertTrue(AgentConstraint.parse("zones:b").test(AGENT));
        assertTrue(AgentConstraint.parse("level:15").test(AGENT));
        assertFalse(AgentConstraint.parse("level:21").test(AGENT));
        assertFalse(AgentConstraint.parse("docker:true").test(AGENT), "a missing attribute never matches");
    }

    @Test
    void describesWhatTheAgentHas() {
        assertEquals("rack=us-east-1a", AgentConstraint.parse("rack:x").describe(AGENT));
        assertEquals("no docker", AgentConstraint.parse("docker:true").describe(AGENT));
    }

    @Test
    void rejectsTextWithoutNameOrValueNamingTheParameter() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> AgentConstraint.parse("rack"));
        assertTrue(e.getMessage().endsWith("; fix constraints"), e.getMessage());
        assertEquals(java.util.List.of(Setting.CONSTRAINTS), e.explanation().settings());
        assertThrows(IllegalArgumentException.class, () -> AgentConstraint.parse(":x"));
        assertThrows(IllegalArgumentException.class, () -> AgentConstraint.parse("x:"));
    }
}
