# Image for running cmsim, e.g. as the shards of a Kubernetes Indexed Job
# (deploy/kubernetes/indexed-job.yaml).
#   docker build -t cmsim:latest .
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/cmsim ./cmd/cmsim

FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/cmsim /usr/local/bin/cmsim
WORKDIR /results
ENTRYPOINT ["/usr/local/bin/cmsim"]
