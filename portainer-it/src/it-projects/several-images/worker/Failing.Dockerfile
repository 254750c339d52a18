FROM 127.0.0.1:5000/portainer/busybox:latest
RUN echo "worker-before-the-failure"
RUN echo "worker failing on purpose" && exit 7
