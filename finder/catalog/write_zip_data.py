"""Write the ZIP data's cache (`places.DATA_FILE`) from the pinned zipcodes package.

`python -m finder.catalog.write_zip_data`; `make install` runs it, and a process that finds the
cache missing writes it itself (docs/places.md).
"""

from .places import DATA_FILE, write_data_file

if __name__ == "__main__":
    print(f"Wrote {write_data_file():,} ZIP code records to {DATA_FILE}")
