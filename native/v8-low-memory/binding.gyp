{
  "targets": [
    {
      "target_name": "v8_low_memory",
      "sources": ["src/v8_low_memory.cc"]
    }
  ]
}
