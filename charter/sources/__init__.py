"""Read and validate what the authors wrote: review.yaml, study files, the bibliography, metadata, the Markdown sections."""
