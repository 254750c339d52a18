FROM 127.0.0.1:5001/portainer/busybox:latest
# The shell computes the marker, so only the RUN's output (not Docker's step line) contains it; the sleep leaves
# time to look at the executor while it runs.
RUN echo "pulled-with-credentials scan-$((40+2))-now" && sleep 4
