import ParleyApp
