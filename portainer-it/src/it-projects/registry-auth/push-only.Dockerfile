FROM 127.0.0.1:5000/portainer/busybox:latest
RUN echo "push-only"
