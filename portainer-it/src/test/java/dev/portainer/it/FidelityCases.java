package dev.portainer.it;

import java.util.List;

/**
 * The trees {@link DockerFidelityIT} builds both ways. Each is tiny; most copy their whole context into /ctx so
 * that the export compares every file of it. Entries a script does not date get a distinct past mtime from
 * {@link ContextTree}.
 */
final class FidelityCases {
    /** The base image scripts/setup.sh builds (busybox on scratch). */
    static final String BASE_IMAGE = "127.0.0.1:5000/portainer/busybox:latest";

    private FidelityCases() {
    }

    static List<FidelityCase> all() {
        return List.of(
                FidelityCase.named("mtimes").script("""
                        copy_all
                        mkdir -p old/older
                        echo past > old/older/past.txt; touch -d @946684799 old/older/past.txt
                        echo epoch > epoch.txt; touch -d @0 epoch.txt
                        # Before 1970: the CLI sends a negative time, which the daemon turns into the epoch.
                        echo 1960 > before-1970.txt; touch -d @-301579200 before-1970.txt
                        echo 2100 > future.txt; touch -d @4102444800 future.txt
                        # .7 s: the CLI truncates to whole seconds; rounding would give the next second.
                        echo sub > sub-second.txt; touch -d @1321009871.7 sub-second.txt
                        ln -s past.txt old/older/dated-link; touch -h -d @1012615322 old/older/dated-link
                        touch -d @1046660583 old/older; touch -d @1081051444 old
                        """).build(),
                FidelityCase.named("mtimes-far-future").script("""
                        copy_all
                        # Both beyond what 11 octal digits hold (year 2242): only a PAX header carries them.
                        # 2250 is still a time the daemon keeps; 2300 is past Go's int64 nanoseconds (2262),
                        # which the daemon turns into the epoch.
                        echo 2250 > year-2250.txt; touch -d @8836128000 year-2250.txt
                        echo 2300 > year-2300.txt; touch -d @10413792000 year-2300.txt
                        mkdir far-dir; echo in > far-dir/f; touch -d @8836128000 far-dir
                        """).build(),
                FidelityCase.named("permissions-files").script("""
                        for m in 0000 0600 0400 0640 0666 0700 0711 0750 0755 0555 4755 2755 1644; do
                          echo "mode $m" > "file-$m"; chmod "$m" "file-$m"
                        done
                        echo 'not a real key' > id_rsa; chmod 0600 id_rsa
                        # COPY's chown to root clears setuid and setgid in the image, so only the cache keys of
                        # steps of their own (in the history) show whether those bits were sent.
                        printf 'FROM %s\nCOPY file-4755 /setuid/\nCOPY file-2755 /setgid/\nCOPY . /ctx/\n' "$base" \
                          > Dockerfile
                        """).build(),
                FidelityCase.named("permissions-dirs").script("""
                        copy_all
                        for m in 0555 0700 1777 2775 0750; do
                          mkdir "dir-$m"; echo inside > "dir-$m/file"; chmod "$m" "dir-$m"
                        done
                        """).build(),
                FidelityCase.named("owners").script("""
                        # The CLI sends every entry as 0:0 whoever owns it, and COPY makes everything root's anyway:
                        # only the cache keys (in the history) show what was sent, so each entry has a step of its own.
                        echo a > owned-file; chown 1234:5678 owned-file
                        mkdir owned-dir; echo b > owned-dir/f; chown -R 4321:8765 owned-dir
                        ln -s owned-file owned-link; chown -h 1234:5678 owned-link
                        printf 'FROM %s\nCOPY owned-file /file/\nCOPY owned-dir /dir/\nCOPY . /ctx/\n' "$base" \
                          > Dockerfile
                        """).build(),
                FidelityCase.named("copy-chown").script("""
                        printf 'FROM %s\\nCOPY --chown=1000:1000 . /ctx/\\n' "$base" > Dockerfile
                        mkdir dir; echo a > dir/a; chmod 0640 dir/a; ln -s a dir/link; echo b > b
                        """).build(),
                FidelityCase.named("hardlinks").script("""
                        copy_all
                        echo same > a; ln a b
                        mkdir d1 d2; echo across > d1/x; ln d1/x d2/y
                        echo three > t1; ln t1 t2; ln t1 t3
                        echo target > sym-target; ln -s sym-target sym; ln -P sym sym-hard
                        """).build(),
                FidelityCase.named("hardlinks-first-ignored").script("""
                        copy_all
                        # a1 comes first but is excluded: a2 must carry the content, a3 link to a2.
                        echo x > a1; ln a1 a2; ln a1 a3
                        printf 'a1\\n' > .dockerignore
                        """).build(),
                FidelityCase.named("fifo").script("""
                        copy_all
                        mkfifo pipe; echo x > regular
                        """).build(),
                FidelityCase.named("socket").script("""
                        copy_all
                        echo x > regular
                        """).socket("fidelity-skipped.sock").build(),
                FidelityCase.named("symlinks").script("""
                        copy_all
                        echo t > target.txt; ln -s target.txt relative; ln -s /etc/passwd absolute
                        ln -s does-not-exist dangling
                        mkdir dir; echo in > dir/f; ln -s dir to-dir
                        ln -s "$(printf 'a-long-symlink-target-%03d/' 1 2 3 4 5 6)end" long-target
                        """).build(),
                FidelityCase.named("names-utf8").aboutNames().script("""
                        copy_all
                        echo a > 'é☺'
                        mkdir 'répertoire'; echo b > 'répertoire/naïve.txt'
                        # 2 bytes a letter: 130 bytes, more than the 100 of a tar header's name field.
                        echo c > "$(printf 'ü%.0s' $(seq 65)).txt"
                        """).build(),
                FidelityCase.named("names-latin1").aboutNames().script("""
                        copy_all
                        echo a > "$(printf 'caf\\351.txt')"
                        mkdir "$(printf 'r\\351p')"; echo b > "$(printf 'r\\351p/f\\374r')"
                        """).build(),
                FidelityCase.named("names-special").aboutNames().script("""
                        copy_all
                        echo 1 > 'with space'; echo 2 > 'what?'; echo 3 > 'star*'; echo 4 > 'bracket['
                        echo 5 > 'back\\slash'; echo 6 > "$(printf 'new\\nline')"; echo 7 > ./-leading-dash
                        mkdir 'dir with space'; echo 8 > 'dir with space/[x]'
                        """).build(),
                FidelityCase.named("names-long").aboutNames().script("""
                        copy_all
                        echo a > "$(printf 'n%.0s' $(seq 150))"
                        # 20 levels of 18 bytes: a path of 369 bytes, more than ustar's 255.
                        deep=$(printf 'deep-directory-%02d/' $(seq 20)); mkdir -p "$deep"; echo b > "${deep}file.txt"
                        """).build(),
                FidelityCase.named("dockerignore-exceptions").script("""
                        copy_all
                        mkdir -p dir/sub logs/a/b tree/x
                        echo 1 > dir/keep; echo 2 > dir/drop; echo 3 > dir/sub/drop
                        echo 4 > logs/a/b/x.log; echo 5 > logs/top.log; echo 6 > logs/a/b/x.txt
                        echo 7 > tree/x/y.tmp; echo 8 > tree/x/y.txt; echo 9 > anchored.txt
                        printf '%s\\n' '# excluded, but for one file' dir '!dir/keep' '**/*.log' 'tree/**/*.tmp' \\
                          /anchored.txt > .dockerignore
                        """).build(),
                FidelityCase.named("dockerignore-latin1").aboutNames().script("""
                        copy_all
                        # Docker reads .dockerignore as bytes: this ISO-8859-1 pattern excludes the non-UTF-8 name
                        # only, not its UTF-8 look-alike.
                        echo a > "$(printf 'caf\\351.txt')"; echo b > 'café.txt'; echo c > kept.txt
                        printf 'caf\\351.txt\\n' > .dockerignore
                        """).build(),
                FidelityCase.named("dockerignore-self").script("""
                        copy_all
                        # Both are still sent (the daemon needs them) and then dropped from what COPY sees.
                        echo a > kept.txt; printf '.dockerignore\\nDockerfile\\n' > .dockerignore
                        """).build(),
                FidelityCase.named("dockerfile-lowercase").script("""
                        # No Dockerfile: both must find this one by themselves.
                        copy_all dockerfile
                        echo a > a.txt
                        """).build(),
                FidelityCase.named("dockerfile-outside").context("ctx").dockerfile("docker/Dockerfile").script("""
                        mkdir ctx docker; copy_all docker/Dockerfile
                        echo a > ctx/a.txt
                        """).build(),
                FidelityCase.named("dockerfile-outside-ignore-self").context("ctx").dockerfile("docker/Dockerfile")
                        .script("""
                        mkdir ctx docker; copy_all docker/Dockerfile
                        echo a > ctx/a.txt; echo b > ctx/ignored.txt
                        printf '.dockerignore\\nignored.txt\\n' > ctx/.dockerignore
                        """).build(),
                FidelityCase.named("dockerfile-outside-ignore-kept").context("ctx").dockerfile("docker/Dockerfile")
                        .cliRewritesIgnore().script("""
                        mkdir ctx docker; copy_all docker/Dockerfile
                        echo a > ctx/a.txt; echo b > ctx/ignored.txt
                        printf 'ignored.txt\\n' > ctx/.dockerignore
                        """).build(),
                FidelityCase.named("dockerfile-symlink-ignored").script("""
                        # The Dockerfile is a link into a directory .dockerignore excludes.
                        mkdir hidden; copy_all hidden/real.Dockerfile; echo s > hidden/secret.txt
                        ln -s hidden/real.Dockerfile Dockerfile
                        echo a > a.txt; printf 'hidden\\n' > .dockerignore
                        """).build(),
                FidelityCase.named("dockerfile-project-relative").context("sub").dockerfile("sub/build/Dockerfile")
                        .script("""
                        mkdir -p sub/build; copy_all sub/build/Dockerfile
                        echo a > sub/a.txt
                        """).build(),
                FidelityCase.named("build-arg-empty").buildArg("EMPTY", "").script("""
                        printf 'FROM %s\\nARG EMPTY\\nRUN echo "[$EMPTY]" > /empty\\n' "$base" > Dockerfile
                        """).build(),
                FidelityCase.named("build-arg-unused").buildArg("USED", "yes").buildArg("UNUSED", "ignored")
                        .script("""
                        printf 'FROM %s\\nARG USED\\nRUN echo "$USED" > /used\\n' "$base" > Dockerfile
                        """).build(),
                FidelityCase.named("add-targz").script("""
                        mkdir -p payload/inner; echo in > payload/inner/file; chmod 0640 payload/inner/file
                        ln -s file payload/inner/link
                        touch -h -d @1234567890 payload/inner/link payload/inner/file payload/inner payload
                        tar -C payload --owner=42 --group=43 -czf archive.tar.gz .; rm -rf payload
                        printf 'FROM %s\\nADD archive.tar.gz /added/\\nCOPY . /ctx/\\n' "$base" > Dockerfile
                        """).build(),
                FidelityCase.named("multi-stage").script("""
                        cat > Dockerfile <<EOF
                        FROM $base AS build
                        COPY stage.txt /stage/
                        RUN cp /stage/stage.txt /built.txt
                        FROM $base
                        COPY --from=build /built.txt /from-build/
                        COPY . /ctx/
                        EOF
                        echo stage > stage.txt
                        """).build(),
                FidelityCase.named("config").script("""
                        cat > Dockerfile <<EOF
                        FROM $base
                        WORKDIR /work/dir
                        ENV GREETING=hello OTHER="two words"
                        LABEL org.example.case=config other="label value"
                        EXPOSE 8080/tcp 53/udp
                        USER 1000:1000
                        ENTRYPOINT ["/bin/sh", "-c"]
                        CMD ["echo \\$GREETING"]
                        COPY . /ctx/
                        EOF
                        echo a > a.txt
                        """).build(),
                FidelityCase.named("crlf-dockerfile").script("""
                        printf 'FROM %s\\r\\nCOPY . /ctx/\\r\\nRUN echo crlf > /crlf\\r\\n' "$base" > Dockerfile
                        """).build(),
                FidelityCase.named("small-and-big-files").script("""
                        copy_all
                        : > empty-file; mkdir empty-dir
                        head -c 1048576 /dev/urandom > one-mib.bin
                        """).build());
    }
}
