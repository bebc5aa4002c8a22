{
  "targets": [
    {
      "target_name": "mappa_matmul",
      "sources": ["matmul.cc", "decode.cc"],
      "cflags_cc": ["-O3", "-std=c++17"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
      "libraries": ["-lopenblas"]
    }
  ]
}
