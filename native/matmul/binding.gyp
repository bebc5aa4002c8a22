{
  "targets": [
    {
      "target_name": "mappa_matmul",
      "sources": ["matmul.cc", "decode.cc", "adam.cc", "binary.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-ffp-contract=off", "-fno-math-errno"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
      "libraries": ["-lopenblas"]
    }
  ]
}
