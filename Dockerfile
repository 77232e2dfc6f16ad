# Build a static binary, then run it as a non-root user in a minimal image.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/settle ./cmd/settle

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/settle /settle
USER nonroot:nonroot
ENV SETTLE_ADDR=0.0.0.0:8080
# The Go garbage collector: the live heap is small (about 17 MB under load),
# so letting it grow to 5x (GOGC=400) before a cycle cuts the cycles per
# page to a quarter and their CPU to about a fifth (docs/performance.md); GOMEMLIMIT is
# the guard that makes it collect sooner as the heap nears 384 MiB (three
# quarters of the 512Mi the Kubernetes Deployment allows). Override both
# per deployment; deploy/ sets the same.
ENV GOGC=400 GOMEMLIMIT=384MiB
EXPOSE 8080
# In a container Settle needs DATABASE_URL; it starts no PostgreSQL of its own there.
ENTRYPOINT ["/settle"]
CMD ["serve"]
