package dev.portainer.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A message for the user that names settings, kept as parts so that the names are rendered by whoever shows it
 * ({@link Suggestions}) and never found again by searching text. A part is a {@link Setting} (named so the user knows
 * where to set it), a {@link Setting.Name} (named briefly), another message, or text.
 */
public final class Message {
    private final List<Object> parts;

    private Message(List<Object> parts) {
        // adjacent text is one part, so that equal messages are equal however they were put together
        List<Object> joined = new ArrayList<>();
        for (Object part : parts) {
            int last = joined.size() - 1;
            if (part instanceof String text && last >= 0 && joined.get(last) instanceof String before) {
                joined.set(last, before + text);
            } else {
                joined.add(part);
            }
        }
        this.parts = List.copyOf(joined);
    }

    /** A message of these parts: settings, setting names, and anything else as text ({@code String.valueOf}). */
    public static Message of(Object... parts) {
        List<Object> list = new ArrayList<>(parts.length);
        for (Object part : parts) {
            if (part instanceof Message message) {
                list.addAll(message.parts);
            } else {
                list.add(part instanceof Setting || part instanceof Setting.Name ? part : String.valueOf(part));
            }
        }
        return new Message(list);
    }

    /** This message followed by more parts. */
    public Message append(Object... more) {
        List<Object> list = new ArrayList<>(parts);
        list.addAll(of(more).parts);
        return new Message(list);
    }

    /** The text, settings named as {@code suggestions} names them. */
    public String render(Suggestions suggestions) {
        StringBuilder text = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof Setting setting) {
                text.append(suggestions.howToSet(setting));
            } else if (part instanceof Setting.Name name) {
                text.append(suggestions.name(name.setting()));
            } else {
                text.append(part);
            }
        }
        return text.toString();
    }

    /** The settings it names, in order. */
    public List<Setting> settings() {
        return parts.stream().map(p -> p instanceof Setting s ? s : p instanceof Setting.Name n ? n.setting() : null)
                .filter(Objects::nonNull).toList();
    }

    /** The text in core's own names. */
    @Override
    public String toString() {
        return render(Suggestions.PLAIN);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message other && parts.equals(other.parts);
    }

    @Override
    public int hashCode() {
        return parts.hashCode();
    }
}
