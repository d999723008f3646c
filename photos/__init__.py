"""Photo enhancement: jobs that improve a store's product photos (Replicate live, Pillow offline)."""
